package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.LocalRedis;
import com.catalytic.deploy.support.RedisCommandStats;
import com.catalytic.deploy.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Busy buckets are leased to the nodes several tokens at a time: fewer round trips to Redis, and still never more
 * admitted calls, all nodes together, than the shared bucket holds.
 */
class LeasedLimitsTest {

    static LocalRedis redis = new LocalRedis();
    static String schema = TestApp.newSchema();
    static TestApp nodeA;
    static TestApp nodeB;

    @BeforeAll
    static void start() {
        redis.start();
        Map<String, String> settings = Map.of(
                "REDIS_PORT", Integer.toString(redis.port()),
                "catalytic.plans.free.requests-per-minute", "200",
                "catalytic.rate-limit.lease-divisor", "10", // leases of up to 20 tokens
                // held through the whole burst even on a slow machine: no lease lapses half-used, so the lower
                // bound below does not depend on timing (lapsed leases only ever lower the admitted count)
                "catalytic.rate-limit.lease-ms", "10000");
        nodeA = TestApp.start(schema, settings);
        nodeB = TestApp.start(schema, settings);
    }

    @AfterAll
    static void stop() {
        nodeB.close();
        nodeA.close();
        redis.close();
    }

    @Test
    void leasedTokensNeverAdmitMoreThanTheSharedBucket() throws Exception {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "leased");
        long scriptsBefore = RedisCommandStats.calls(nodeA.bean(StringRedisTemplate.class), "evalsha");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        int ok = 0;
        int limited = 0;
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                calls.add(pool.submit(() -> node.http().get("/api/me", bearer(owner.accessToken()))));
            }
            for (Future<Response> f : calls) {
                Response r = f.get();
                if (r.status() == 200) {
                    ok++;
                    assertThat(r.header("X-RateLimit-Limit")).isEqualTo("200");
                    assertThat(Long.parseLong(r.header("X-RateLimit-Remaining"))).isBetween(0L, 200L);
                } else {
                    assertThat(r.status()).isEqualTo(429);
                    assertThat(r.text("code")).isEqualTo("rate_limited");
                    assertThat(r.header("Retry-After")).isNotNull();
                    limited++;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long refilled = (long) Math.ceil(seconds * 200 / 60.0);
        assertThat(ok + limited).isEqualTo(400);
        // never more than the bucket's 200 plus what refilled during the burst (leases that lapse unused only ever
        // make the nodes admit less than the bucket held, never more)
        // and no fewer than the bucket less what the two nodes' last leases (20 tokens each at most) still hold
        assertThat(ok).isLessThanOrEqualTo(200 + (int) refilled).isGreaterThanOrEqualTo(200 - 2 * 20);
        long scripts = RedisCommandStats.calls(nodeA.bean(StringRedisTemplate.class), "evalsha") - scriptsBefore;
        assertThat(scripts).as("round trips to Redis (leases, refusals and quota counts) for 400 calls")
                .isLessThan(200);
    }
}
