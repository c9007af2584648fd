package com.catalytic.api.auth;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record RefreshTokenRotatedEvent(String sessionId, String tenantId, String userId, String newTokenHash,
                                       Instant expiresAt) {
}
