package com.catalytic.api.auth;

/** What a {@link RotateRefreshTokenCommand} did, with the session's owner when it succeeded. */
public record RefreshOutcome(Result result, String tenantId, String userId) {
    public enum Result { ROTATED, REUSE_DETECTED, REVOKED, EXPIRED, INVALID }

    public boolean rotated() { return result == Result.ROTATED; }
}
