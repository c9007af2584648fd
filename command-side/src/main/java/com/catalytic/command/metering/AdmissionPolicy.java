package com.catalytic.command.metering;

import com.catalytic.api.identity.Caller;
import com.catalytic.api.plan.Plan;
import com.catalytic.command.metering.Admission.Kind;
import com.catalytic.command.metering.Admission.Quota;
import com.catalytic.command.metering.Admission.RateLimit;
import com.catalytic.command.metering.Admission.Refusal;
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
 */
public class AdmissionPolicy {

    /** The calls a tenant has used in a period ({@code YYYY-MM}, as {@link QuotaLedger#period} names it). */
    @FunctionalInterface
    public interface QuotaUsage {
        long used(String tenantId, String period);
    }

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
        long used = quota.used(caller.tenantId(), period);
        if (used < limit) {
            return Admission.admitted(rateLimit);
        }
        Instant reset = QuotaLedger.resetAt(now);
        return new Admission(rateLimit, new Refusal(Kind.QUOTA_EXHAUSTED, "quota_exceeded",
                "the " + plan.name() + " plan's " + limit + " API calls for " + period
                        + " are used up; upgrade or wait until " + reset,
                Math.max(1, Duration.between(now, reset).toSeconds()), new Quota(limit, used, reset)));
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
