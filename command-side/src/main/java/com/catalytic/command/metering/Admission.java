package com.catalytic.command.metering;

import java.time.Instant;

/**
 * What admission decided for one metered call: the state of the tightest rate bucket (always known, since the rate
 * limit is asked first) and, unless the call may run, why not.
 */
public record Admission(RateLimit rateLimit, Refusal refusal) {

    public enum Kind { RATE_LIMITED, QUOTA_EXHAUSTED }

    /**
     * @param limit the tightest bucket's capacity (requests per minute)
     * @param remaining whole tokens left in it
     * @param resetSeconds seconds until it is full again
     */
    public record RateLimit(int limit, long remaining, long resetSeconds) {
    }

    /** The month's quota when it is used up: {@code used} of {@code limit} calls, reset at {@code resetAt}. */
    public record Quota(long limit, long used, Instant resetAt) {
    }

    /**
     * @param code the stable machine code ({@code rate_limited}, {@code quota_exceeded})
     * @param retryAfterSeconds when a retry can succeed
     * @param quota the quota's figures when it is exhausted; null for a rate limit
     */
    public record Refusal(Kind kind, String code, String message, long retryAfterSeconds, Quota quota) {
    }

    static Admission admitted(RateLimit rateLimit) {
        return new Admission(rateLimit, null);
    }

    public boolean admitted() {
        return refusal == null;
    }
}
