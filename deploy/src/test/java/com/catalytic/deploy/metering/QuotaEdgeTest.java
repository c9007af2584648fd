package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.LocalRedis;
import com.catalytic.deploy.support.RedisCommandStats;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.CredentialCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A tenant's whole monthly quota used up by parallel clients on two nodes, with the nodes' views of the count
 * deciding far from the quota and the shared count near it: the calls admitted are the quota, plus at most the
 * calls in flight at the edge, never fewer (docs/ARCHITECTURE.md, "Quota").
 */
class QuotaEdgeTest {

    static final int QUOTA = 3_400;
    static final int PER_MINUTE = 3_000; // slack 3,100: views decide while fewer than 300 calls are counted
    static final int CLIENTS = 8;

    static LocalRedis redis = new LocalRedis();
    static String schema = TestApp.newSchema();
    static TestApp nodeA;
    static TestApp nodeB;

    @BeforeAll
    static void start() {
        redis.start();
        Map<String, String> settings = Map.of(
                "REDIS_PORT", Integer.toString(redis.port()),
                "catalytic.plans.professional.requests-per-minute", Integer.toString(PER_MINUTE),
                "catalytic.plans.professional.api-calls-per-month", Integer.toString(QUOTA));
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
    void parallelClientsOnTwoNodesGetTheQuotaPlusAtMostTheCallsInFlight() throws Exception {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "edge-views");
        Accounts.changePlan(nodeA, owner.tenantId(), "professional");
        for (TestApp node : List.of(nodeA, nodeB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.bean(CredentialCache.class)
                    .tenant(owner.tenantId()).map(TenantState::plan).orElse(""), "professional"::equals);
        }
        long getsBefore = RedisCommandStats.calls(nodeA.bean(StringRedisTemplate.class), "get");

        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger rateLimited = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                TestApp node = c % 2 == 0 ? nodeA : nodeB;
                clients.add(pool.submit(() -> {
                    // each client calls until the quota refuses it; a rate refusal means: wait for the bucket
                    while (true) {
                        Response r = node.http().get("/api/me", bearer(owner.accessToken()));
                        if (r.status() == 200) {
                            admitted.incrementAndGet();
                            continue;
                        }
                        assertThat(r.status()).as("%s", r).isEqualTo(429);
                        if ("quota_exceeded".equals(r.text("code"))) {
                            return null;
                        }
                        assertThat(r.text("code")).isEqualTo("rate_limited");
                        rateLimited.incrementAndGet();
                        Thread.sleep(20);
                    }
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // every client stopped on quota_exceeded: the quota was reached, and overrun by no more than the calls
        // checked while others were in flight (one per client but the last)
        assertThat(admitted.get()).as("calls admitted against a quota of %d", QUOTA)
                .isBetween(QUOTA, QUOTA + CLIENTS - 1);
        // the views decided the calls far from the quota: the shared count was read for fewer calls than were made
        long gets = RedisCommandStats.calls(nodeA.bean(StringRedisTemplate.class), "get") - getsBefore;
        assertThat(gets).as("reads of the shared count (GET) for %d calls", admitted.get())
                .isLessThan(admitted.get() - 200L);
        // the ledger counts exactly the admitted calls
        await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(nodeB.jdbc()
                .queryForObject("SELECT used FROM quota_ledger WHERE tenant_id = ?", Long.class, owner.tenantId()))
                .isEqualTo(admitted.get()));
        // and stays used up on both nodes (the rate limit, asked first, may refuse a call before the quota does)
        for (TestApp node : List.of(nodeA, nodeB)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Response over = node.http().get("/api/me", bearer(owner.accessToken()));
                assertThat(over.status()).isEqualTo(429);
                assertThat(over.text("code")).isEqualTo("quota_exceeded");
            });
        }
    }
}
