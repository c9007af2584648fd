package com.catalytic.api.auth;

import java.time.Duration;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Exchanges the presented refresh token for a new one. Answered with a {@link RefreshOutcome}: presenting a
 * token that was already rotated out revokes the whole session (reuse detection) instead of failing the command,
 * so that the revocation is stored.
 *
 * @param presentedTokenIssuedForSession the service checked the presented token's tag: it was minted for this session, so if
 *                             it is not the current token it is an earlier one
 * @param newExpiresAt         the sliding expiry of the new token (capped by the session's maximum lifetime)
 * @param maxLifetime          how long a session may be refreshed at all, counted from its start
 */
public record RotateRefreshTokenCommand(@TargetAggregateIdentifier String sessionId, String presentedTokenHash,
                                        boolean presentedTokenIssuedForSession, String newTokenHash, Instant newExpiresAt,
                                        Instant requestedAt, Duration maxLifetime) {
}
