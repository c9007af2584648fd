package com.catalytic.api.auth;

import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A session began. {@code sessionEpoch} is the user's session epoch at login (null in events stored before it
 * existed: epoch 0); once the user's epoch moves past it (deactivation), the session's tokens are refused.
 */
@Revision("1")
public record SessionStartedEvent(String sessionId, String tenantId, String userId, String refreshTokenHash,
                                  Instant expiresAt, Integer sessionEpoch) implements TenantScoped {
}
