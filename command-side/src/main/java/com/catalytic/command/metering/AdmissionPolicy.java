package com.catalytic.command.metering;

import com.catalytic.api.identity.Caller;
import com.catalytic.api.plan.Plan;
import com.catalytic.command.metering.Admission.Kind;
import com.catalytic.command.metering.Admission.Quota;
import com.catalytic.command.metering.Admission.RateLimit;
import com.catalytic.command.metering.Admission.Refusal;
import com.catalytic.infrastructure.metering.QuotaCounter;
import com.catalytic.infrastructure.metering.QuotaLedger;
import com.catalytic.infrastructure.metering.RateLimiter.Bucket;
import com.catalytic.infrastructure.metering.RateLimiter.Decision;
import com.catalytic.infrastructure.metering.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * May this metered call run? First the rate limit: one token from the tenant's bucket (the plan's requests per
 * minute) and, when the caller's API key sets a lower limit, from the key's bucket too, all or nothing. Then the
 * plan's monthly quota: a call is admitted while the calls used this month (UTC) are below it.
 *
 * <p>The quota is read two ways. Far from the limit, a recent view of the count decides (no round trip): the view is
 * at most {@link #VIEW_MAX_AGE_SECONDS} old, and in that time all nodes together cannot have admitted more calls than
 * the tenant's shared rate bucket holds plus what it refills ({@link #slack}), so a view that far below the quota
 * cannot admit a call the exact count would refuse. Near the limit the shared count itself is read, and the call's
 * count must reach it before the call is answered ({@link Admission#countedExactly()}).
 */
public class AdmissionPolicy {

    /** The calls a tenant has used in a period ({@code YYYY-MM}, as {@link QuotaLedger#period} names it). */
    @FunctionalInterface
    public interface QuotaUsage {
        /** The shared count, read now. */
        long used(String tenantId, String period);

        /**
         * A view of the shared count read at most {@link #VIEW_MAX_AGE_SECONDS} ago (plus this node's calls since),
         * or null when there is none (the default: every check reads the shared count).
         */
        default Long recent(String tenantId, String period) {
            return null;
        }
    }

    /** The oldest view of the count that may decide (the counter answers no older one). */
    public static final int VIEW_MAX_AGE_SECONDS = (int) QuotaCounter.VIEW_MAX_AGE.toSeconds();

    /** An API key's own requests per minute; null when it sets none. */
    @FunctionalInterface
    public interface KeyLimits {
        Integer perMinute(String apiKeyId);
    }

    private final RateLimiter limiter;
    private final QuotaUsage quota;
    private final KeyLimits keyLimits;

    public AdmissionPolicy(RateLimiter limiter, QuotaUsage quota, KeyLimits keyLimits) {
        this.limiter = limiter;
        this.quota = quota;
        this.keyLimits = keyLimits;
    }

    public Admission admit(Caller caller, Plan plan, Instant now) {
        Decision d = limiter.acquire(buckets(caller, plan));
        RateLimit rateLimit = new RateLimit(d.limit(), d.remaining(), d.resetSeconds());
        if (!d.allowed()) {
            return new Admission(rateLimit, new Refusal(Kind.RATE_LIMITED, "rate_limited",
                    "rate limit of " + d.limit() + " requests per minute exceeded", d.retryAfterSeconds(), null));
        }
        long limit = plan.apiCallsPerMonth();
        if (limit == Plan.UNLIMITED) {
            return Admission.admitted(rateLimit);
        }
        String period = QuotaLedger.period(now);
        Long recent = quota.recent(caller.tenantId(), period);
        if (recent != null && recent + slack(plan) < limit) {
            return Admission.admitted(rateLimit);
        }
        long used = quota.used(caller.tenantId(), period);
        if (used < limit) {
            return Admission.countedExactly(rateLimit);
        }
        Instant reset = QuotaLedger.resetAt(now);
        return new Admission(rateLimit, new Refusal(Kind.QUOTA_EXHAUSTED, "quota_exceeded",
                "the " + plan.name() + " plan's " + limit + " API calls for " + period
                        + " are used up; upgrade or wait until " + reset,
                Math.max(1, Duration.between(now, reset).toSeconds()), new Quota(limit, used, reset)));
    }

    /**
     * The most calls a view of the count can be missing: what all nodes together may admit while the view ages — a
     * full rate bucket (the plan's requests per minute) plus its refill over the view's age and a second more for
     * the calls on their way to the count (journal and counter batches).
     */
    static long slack(Plan plan) {
        long perMinute = plan.requestsPerMinute();
        return perMinute + (perMinute * (VIEW_MAX_AGE_SECONDS + 1) + 59) / 60;
    }

    private List<Bucket> buckets(Caller caller, Plan plan) {
        List<Bucket> buckets = new ArrayList<>(2);
        buckets.add(new Bucket("tenant:" + caller.tenantId(), plan.requestsPerMinute()));
        if (caller.apiKeyId() != null) {
            Integer keyLimit = keyLimits.perMinute(caller.apiKeyId());
            if (keyLimit != null && keyLimit < plan.requestsPerMinute()) {
                buckets.add(new Bucket("key:" + caller.apiKeyId(), keyLimit));
            }
        }
        return buckets;
    }
}
