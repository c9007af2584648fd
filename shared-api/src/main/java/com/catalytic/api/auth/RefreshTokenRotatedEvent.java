package com.catalytic.api.auth;

import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record RefreshTokenRotatedEvent(String sessionId, String tenantId, String userId, String newTokenHash,
                                       Instant expiresAt) implements TenantScoped {
}
