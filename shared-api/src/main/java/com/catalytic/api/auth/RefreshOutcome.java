package com.catalytic.api.auth;

/**
 * What a {@link RotateRefreshTokenCommand} did, with the session's owner and the session epoch it started in (a
 * session of an earlier epoch than its user's current one is over).
 */
public record RefreshOutcome(Result result, String tenantId, String userId, int sessionEpoch) {
    public enum Result { ROTATED, REUSE_DETECTED, REVOKED, EXPIRED, INVALID }

    public boolean rotated() { return result == Result.ROTATED; }
}
