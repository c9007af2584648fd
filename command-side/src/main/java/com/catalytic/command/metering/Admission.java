package com.catalytic.command.metering;

import java.time.Instant;

/**
 * What admission decided for one metered call: the state of the tightest rate bucket (always known, since the rate
 * limit is asked first), unless the call may run, why not, and whether it was admitted on the shared quota count
 * read now ({@code countedExactly}) rather than on a recent view of it.
 */
public record Admission(RateLimit rateLimit, Refusal refusal, boolean countedExactly) {

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

    public Admission(RateLimit rateLimit, Refusal refusal) {
        this(rateLimit, refusal, false);
    }

    /** Admitted on a recent view of the quota count (or with no quota to count against). */
    static Admission admitted(RateLimit rateLimit) {
        return new Admission(rateLimit, null, false);
    }

    /**
     * Admitted near the quota, on the shared count read now: the call's count must reach the shared count before it
     * is answered, so that the next call's check sees it.
     */
    static Admission countedExactly(RateLimit rateLimit) {
        return new Admission(rateLimit, null, true);
    }

    public boolean admitted() {
        return refusal == null;
    }
}
