package com.catalytic.api.auth;

import com.catalytic.api.identity.TenantScoped;
import com.catalytic.api.personal.DataSubject;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * A successful login opens a session; the refresh token is known only by its SHA-256 hash. {@code sessionEpoch} is
 * the user's session epoch read at login.
 */
public record StartSessionCommand(@TargetAggregateIdentifier String sessionId, String tenantId, String userId,
                                  String refreshTokenHash, Instant expiresAt, int sessionEpoch)
        implements TenantScoped, DataSubject {

    @Override
    public String dataSubjectId() {
        return userId;
    }
}
