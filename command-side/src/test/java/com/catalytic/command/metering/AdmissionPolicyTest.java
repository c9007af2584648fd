package com.catalytic.command.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import com.catalytic.api.plan.Plan;
import com.catalytic.command.metering.Admission.Kind;
import com.catalytic.command.metering.Admission.Quota;
import com.catalytic.command.metering.Admission.RateLimit;
import com.catalytic.command.metering.Admission.Refusal;
import com.catalytic.infrastructure.metering.RateLimiter.Bucket;
import com.catalytic.infrastructure.metering.RateLimiter.Decision;
import com.catalytic.infrastructure.metering.RateLimiter;
import com.catalytic.infrastructure.metering.TokenBuckets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AdmissionPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-30T23:00:00Z");
    private static final Plan STARTER = new Plan("starter", 29, 10, 50, 3, 5, 50, 1_000, 300, 14);
    private static final Plan ENTERPRISE = new Plan("enterprise", 499, Plan.UNLIMITED, -1, -1, 10, 1_000, 50_000,
            6_000, 0);
    private static final Caller USER = new Caller("t1", "u1", Role.OWNER, "s1", null, Set.of());
    private static final Caller KEY = new Caller("t1", "u1", Role.OWNER, null, "k1", Set.of());

    /** A limiter that answers what it is told and remembers what it was asked. */
    private static final class ScriptedLimiter implements RateLimiter {
        Decision next = new Decision(true, 300, 299, 1, 0);
        final List<List<Bucket>> asked = new ArrayList<>();

        @Override
        public Decision acquire(List<Bucket> buckets) {
            asked.add(List.copyOf(buckets));
            return next;
        }
    }

    private final ScriptedLimiter limiter = new ScriptedLimiter();
    private final Map<String, Long> used = new HashMap<>();
    private final List<String> quotaAsked = new ArrayList<>();
    private final Map<String, Integer> keyLimits = new HashMap<>();
    private final AdmissionPolicy policy = new AdmissionPolicy(limiter, (tenant, period) -> {
        quotaAsked.add(tenant + "/" + period);
        return used.getOrDefault(tenant + "/" + period, 0L);
    }, keyLimits::get);

    @Test
    void admitsACallWithinTheRateLimitAndTheQuota() {
        used.put("t1/2026-11", 9L);

        Admission admission = policy.admit(USER, STARTER, NOW);

        assertThat(admission.admitted()).isTrue();
        assertThat(admission.refusal()).isNull();
        assertThat(admission.rateLimit()).isEqualTo(new RateLimit(300, 299, 1));
        assertThat(limiter.asked).containsExactly(List.of(new Bucket("tenant:t1", 300)));
        assertThat(quotaAsked).containsExactly("t1/2026-11");
    }

    @Test
    void aKeyWithALowerLimitAddsItsOwnBucket() {
        keyLimits.put("k1", 20);

        policy.admit(KEY, STARTER, NOW);

        assertThat(limiter.asked).containsExactly(List.of(new Bucket("tenant:t1", 300), new Bucket("key:k1", 20)));
    }

    @Test
    void aKeyWithoutALimitOrWithOneNotBelowThePlansUsesTheTenantBucketAlone() {
        policy.admit(KEY, STARTER, NOW);
        keyLimits.put("k1", 300);
        policy.admit(KEY, STARTER, NOW);
        keyLimits.put("k1", 1_000);
        policy.admit(KEY, STARTER, NOW);

        assertThat(limiter.asked).hasSize(3).allSatisfy(
                buckets -> assertThat(buckets).containsExactly(new Bucket("tenant:t1", 300)));
    }

    @Test
    void anEmptyBucketRefusesWithRateLimitedAndDoesNotCountTheQuota() {
        limiter.next = new Decision(false, 20, 0, 60, 3);

        Admission admission = policy.admit(USER, STARTER, NOW);

        assertThat(admission.admitted()).isFalse();
        assertThat(admission.rateLimit()).isEqualTo(new RateLimit(20, 0, 60));
        assertThat(admission.refusal()).isEqualTo(new Refusal(Kind.RATE_LIMITED, "rate_limited",
                "rate limit of 20 requests per minute exceeded", 3, null));
        assertThat(quotaAsked).isEmpty();
    }

    @Test
    void aUsedUpQuotaRefusesUntilTheNextMonth() {
        used.put("t1/2026-11", 10L);

        Admission admission = policy.admit(USER, STARTER, NOW);

        Instant reset = Instant.parse("2026-12-01T00:00:00Z");
        assertThat(admission.admitted()).isFalse();
        assertThat(admission.rateLimit()).isEqualTo(new RateLimit(300, 299, 1));
        assertThat(admission.refusal()).isEqualTo(new Refusal(Kind.QUOTA_EXHAUSTED, "quota_exceeded",
                "the starter plan's 10 API calls for 2026-11 are used up; upgrade or wait until " + reset,
                3_600, new Quota(10, 10, reset)));
    }

    @Test
    void aQuotaOverrunByCallsInFlightStillRefusesWithTheCountAsItIs() {
        used.put("t1/2026-11", 12L);

        assertThat(policy.admit(USER, STARTER, NOW).refusal().quota().used()).isEqualTo(12);
    }

    @Test
    void theRetryIsAtLeastASecondAwayEvenJustBeforeTheReset() {
        used.put("t1/2026-11", 10L);

        Admission admission = policy.admit(USER, STARTER, Instant.parse("2026-11-30T23:59:59.600Z"));

        assertThat(admission.refusal().retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void theQuotaIsCountedForTheMonthOfTheCall() {
        used.put("t1/2026-11", 10L);

        Admission admission = policy.admit(USER, STARTER, Instant.parse("2026-12-01T00:00:00Z"));

        assertThat(admission.admitted()).isTrue();
        assertThat(quotaAsked).containsExactly("t1/2026-12");
    }

    @Test
    void anUnlimitedPlanNeverAsksForTheCount() {
        Admission admission = policy.admit(USER, ENTERPRISE, NOW);

        assertThat(admission.admitted()).isTrue();
        assertThat(quotaAsked).isEmpty();
        assertThat(limiter.asked).containsExactly(List.of(new Bucket("tenant:t1", 6_000)));
    }

    @Test
    void withRealBucketsTheKeysLowerLimitRefusesFirstWhileTheTenantsStillHasTokens() {
        AdmissionPolicy withBuckets = new AdmissionPolicy(new TokenBuckets(Clock.fixed(NOW, ZoneOffset.UTC), 1),
                (tenant, period) -> 0, id -> 2);

        assertThat(withBuckets.admit(KEY, STARTER, NOW).admitted()).isTrue();
        Admission second = withBuckets.admit(KEY, STARTER, NOW);
        assertThat(second.admitted()).isTrue();
        assertThat(second.rateLimit().limit()).isEqualTo(2);
        assertThat(second.rateLimit().remaining()).isZero();
        Admission third = withBuckets.admit(KEY, STARTER, NOW);
        assertThat(third.refusal().kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(third.refusal().retryAfterSeconds()).isEqualTo(30);
        // the refused call took no token from the tenant's bucket: a call without the key still goes through
        Admission other = withBuckets.admit(USER, STARTER, NOW);
        assertThat(other.admitted()).isTrue();
        assertThat(other.rateLimit()).isEqualTo(new RateLimit(300, 297, 1));
    }

    @Nested
    class QuotaViews {

        private static final Plan PROFESSIONAL = new Plan("professional", 99, 100_000, 500, 10, 10, 100, 10_000,
                1_200, 7);
        private final Map<String, Long> views = new HashMap<>();
        private final AdmissionPolicy withViews = new AdmissionPolicy(limiter, new AdmissionPolicy.QuotaUsage() {
            @Override
            public long used(String tenant, String period) {
                quotaAsked.add(tenant + "/" + period);
                return used.getOrDefault(tenant + "/" + period, 0L);
            }

            @Override
            public Long recent(String tenant, String period) {
                return views.get(tenant + "/" + period);
            }
        }, keyLimits::get);

        @Test
        void theSlackIsAFullRateBucketPlusTwoSecondsOfRefill() {
            assertThat(AdmissionPolicy.slack(PROFESSIONAL)).isEqualTo(1_200 + 40);
            assertThat(AdmissionPolicy.slack(STARTER)).isEqualTo(300 + 10);
        }

        @Test
        void farFromTheQuotaARecentViewDecidesWithoutReadingTheSharedCount() {
            views.put("t1/2026-11", 100_000L - 1_240 - 1);

            Admission admission = withViews.admit(USER, PROFESSIONAL, NOW);

            assertThat(admission.admitted()).isTrue();
            assertThat(admission.countedExactly()).isFalse();
            assertThat(quotaAsked).isEmpty();
        }

        @Test
        void withinTheSlackOfTheQuotaTheSharedCountDecidesAndTheCallIsCountedAtOnce() {
            views.put("t1/2026-11", 100_000L - 1_240);
            used.put("t1/2026-11", 99_990L);

            Admission admission = withViews.admit(USER, PROFESSIONAL, NOW);

            assertThat(admission.admitted()).isTrue();
            assertThat(admission.countedExactly()).isTrue();
            assertThat(quotaAsked).containsExactly("t1/2026-11");
        }

        @Test
        void nearTheQuotaTheSharedCountRefusesWhateverTheView() {
            views.put("t1/2026-11", 100_000L - 1_240L); // the view is behind: other nodes used the rest
            used.put("t1/2026-11", 100_000L);

            Admission refused = withViews.admit(USER, PROFESSIONAL, NOW);

            assertThat(refused.admitted()).isFalse();
            assertThat(refused.refusal().code()).isEqualTo("quota_exceeded");
            assertThat(quotaAsked).containsExactly("t1/2026-11");
        }

        @Test
        void withoutAViewTheSharedCountDecides() {
            used.put("t1/2026-11", 5L);

            Admission admission = withViews.admit(USER, PROFESSIONAL, NOW);

            assertThat(admission.admitted()).isTrue();
            assertThat(admission.countedExactly()).isTrue();
            assertThat(quotaAsked).containsExactly("t1/2026-11");
        }
    }
}
