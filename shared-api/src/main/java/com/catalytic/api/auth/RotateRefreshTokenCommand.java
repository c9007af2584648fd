package com.catalytic.api.auth;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Exchanges the presented refresh token for a new one. Answered with a {@link RefreshOutcome}: presenting a
 * token that was already rotated out revokes the whole session (reuse detection) instead of failing the command,
 * so that the revocation is stored.
 */
public record RotateRefreshTokenCommand(@TargetAggregateIdentifier String sessionId, String presentedTokenHash,
                                        String newTokenHash, Instant newExpiresAt, Instant requestedAt) {
}
