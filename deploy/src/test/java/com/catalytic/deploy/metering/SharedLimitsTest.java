package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.LocalRedis;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
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
 * Two nodes sharing a private Redis (which the test stops and starts) and the database: limits hold across nodes,
 * survive a Redis outage per node, and quotas stay exact throughout.
 */
class SharedLimitsTest {

    static LocalRedis redis = new LocalRedis();
    static String schema = TestApp.newSchema();
    static TestApp nodeA;
    static TestApp nodeB;

    @BeforeAll
    static void start() {
        redis.start();
        Map<String, String> settings = Map.of(
                "REDIS_PORT", Integer.toString(redis.port()),
                "catalytic.plans.free.requests-per-minute", "10",
                "catalytic.plans.starter.requests-per-minute", "300",
                "catalytic.plans.starter.api-calls-per-month", "30",
                "catalytic.plans.professional.requests-per-minute", "1200",
                "catalytic.rate-limit.expected-nodes", "2");
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
    void twoNodesTogetherAdmitNoMoreThanTheLimit() throws Exception {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "shared");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                calls.add(pool.submit(() -> node.http().get("/api/me", bearer(owner.accessToken())).status()));
            }
            int ok = 0;
            int limited = 0;
            for (Future<Integer> f : calls) {
                int status = f.get();
                if (status == 200) {
                    ok++;
                } else if (status == 429) {
                    limited++;
                }
            }
            // 10 per minute: the burst gets the bucket's 10 tokens, plus at most one refilled during the burst
            assertThat(ok).isBetween(10, 11);
            assertThat(ok + limited).isEqualTo(40);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRedisOutageKeepsRequestsFlowingAndQuotasExact() {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "outage");
        Accounts.changePlan(nodeA, owner.tenantId(), "starter");
        // starter: 300 requests/minute shared, 30 calls this month
        for (int i = 0; i < 10; i++) {
            assertThat(nodeA.http().get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
        }
        redis.stop();
        try {
            for (int i = 0; i < 20; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                Response r = node.http().get("/api/me", bearer(owner.accessToken()));
                assertThat(r.status()).as("call %d during the outage: %s", 11 + i, r).isEqualTo(200);
                assertThat(r.header("X-RateLimit-Limit")).as("per-node share of the limit").isEqualTo("150");
            }
            Response over = nodeB.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(over.status()).isEqualTo(429);
            assertThat(over.text("code")).as("the 31st call: quota exact without Redis").isEqualTo("quota_exceeded");
            assertThat(nodeA.http().get("/health").text("status")).isEqualTo("degraded");
        } finally {
            redis.start();
        }
        // Redis is back: shared limiting resumes (the bucket lives in Redis again) and the quota is still exact
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response r = nodeA.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(r.text("code")).isEqualTo("quota_exceeded");
        });
        Accounts.changePlan(nodeA, owner.tenantId(), "professional");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response r = nodeB.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo("1200");
        });
        StringRedisTemplate shared = nodeA.bean(StringRedisTemplate.class);
        assertThat(shared.keys("test:" + schema + ":rl:tenant:" + owner.tenantId())).hasSize(1);
        // the ledger counts every call once shipped from the nodes' journals (moments after an unlimited call)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodeA.jdbc().queryForObject(
                "SELECT used FROM quota_ledger WHERE tenant_id = ?", Long.class, owner.tenantId()))
                .isGreaterThanOrEqualTo(31));
    }
}
