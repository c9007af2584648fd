package com.catalytic.deploy.reliability;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Redis killed and started again while two nodes serve metered calls, and API keys are issued and revoked all the
 * while. Throughout: no 5xx; every acknowledged call has exactly one usage record; every key revoked (before, during
 * or after the outage) is refused by both nodes within seconds of its revocation, and after the outage.
 */
class RedisOutageUnderLoadTest {

    /** Issued, then revoked on one node: when the revocation was answered. */
    record Revoked(String key, String id, long revokedAtNanos, boolean duringOutage) {
    }

    @Test
    void redisStoppedAndStartedUnderLoadLosesNoCallAndEveryRevocationHolds() throws Exception {
        String schema = TestApp.newSchema();
        int rounds = Integer.getInteger("reliability.rounds", 1);
        try (LocalRedis redis = new LocalRedis().start()) {
            // the limits are raised: what is tested is the outage, not the free plan's limits
            Map<String, String> settings = Map.of("REDIS_PORT", Integer.toString(redis.port()),
                    "catalytic.plans.free.requests-per-minute", "1000000",
                    "catalytic.plans.free.api-calls-per-month", "-1");
            try (TestApp nodeA = TestApp.start(schema, settings); TestApp nodeB = TestApp.start(schema, settings)) {
                List<TestApp> nodes = List.of(nodeA, nodeB);
                Account owner = Accounts.registerAndLogin(nodeA.http(), "redis-load");
                String key = issue(nodeA, owner, "load").text("key");
                for (TestApp node : nodes) {
                    assertThat(node.http().get("/api/me", bearer(key)).status()).isEqualTo(200);
                    assertThat(node.http().get("/health").text("status")).isEqualTo("healthy");
                }
                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
                ConcurrentLinkedQueue<Revoked> revoked = new ConcurrentLinkedQueue<>();
                Map<String, Long> lastAcceptedAfterRevocation = new ConcurrentHashMap<>();
                AtomicBoolean outage = new AtomicBoolean(false);
                AtomicBoolean running = new AtomicBoolean(true);
                ExecutorService load = Executors.newFixedThreadPool(6);
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    TestApp node = nodes.get(w % 2);
                    workers.add(load.submit(() -> {
                        while (running.get()) {
                            Response r = node.http().get("/api/me", bearer(key));
                            statuses.add(r.status());
                            if (r.status() == 200) {
                                acknowledged.add(r.header("X-Request-ID"));
                            }
                        }
                        return null;
                    }));
                }
                // keys issued and revoked on alternate nodes; each revoked key is tried on both nodes until refused
                workers.add(load.submit(() -> {
                    for (int i = 0; running.get(); i++) {
                        TestApp on = nodes.get(i % 2);
                        Response issued = issue(on, owner, "revoked-" + i);
                        String k = issued.text("key");
                        String id = issued.text("id");
                        for (TestApp node : nodes) {
                            assertThat(node.http().get("/api/me", bearer(k)).status()).isEqualTo(200);
                        }
                        boolean during = outage.get();
                        assertThat(on.http().method("DELETE", "/api/api-keys/" + id, null,
                                bearer(owner.accessToken())).status()).isEqualTo(204);
                        revoked.add(new Revoked(k, id, System.nanoTime(), during));
                        Thread.sleep(100);
                    }
                    return null;
                }));
                workers.add(load.submit(() -> { // a revoked key must not be served for more than seconds
                    while (running.get()) {
                        for (Revoked r : revoked) {
                            for (TestApp node : nodes) {
                                int status = node.http().get("/api/me", bearer(r.key())).status();
                                if (status == 200) {
                                    lastAcceptedAfterRevocation.merge(r.key(), System.nanoTime() - r.revokedAtNanos(),
                                            Math::max);
                                } else if (status != 401) {
                                    statuses.add(status); // neither served nor refused as revoked: reported below
                                }
                            }
                        }
                        Thread.sleep(50);
                    }
                    return null;
                }));

                for (int round = 0; round < rounds; round++) {
                    Thread.sleep(2_000);
                    redis.stop(); // killed, like a crash
                    outage.set(true);
                    Thread.sleep(5_000);
                    for (TestApp node : nodes) {
                        assertThat(node.http().get("/health").text("status")).as("health without Redis")
                                .isEqualTo("degraded");
                    }
                    redis.start(); // empty: nothing of what it held before
                    outage.set(false);
                    for (TestApp node : nodes) {
                        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                                assertThat(node.http().get("/health").text("status")).isEqualTo("healthy"));
                    }
                }
                Thread.sleep(2_000);
                running.set(false);
                for (Future<?> f : workers) {
                    f.get(60, TimeUnit.SECONDS);
                }
                load.shutdown();

                Map<Integer, Long> byStatus = new TreeMap<>();
                statuses.forEach(s -> byStatus.merge(s, 1L, Long::sum));
                assertThat(byStatus).as("answers by status").containsOnlyKeys(200);
                assertThat(acknowledged).hasSizeGreaterThan(500);
                assertThat(revoked).as("keys revoked").isNotEmpty();
                assertThat(revoked).as("keys revoked during an outage").anyMatch(Revoked::duringOutage);
                // the nodes learn a revocation through Redis, or without it from their poll of the database
                assertThat(lastAcceptedAfterRevocation.values()).as("ns a revoked key was still served")
                        .allMatch(ns -> ns < 5_000_000_000L);
                for (Revoked r : revoked) {
                    for (TestApp node : nodes) {
                        Response after = node.http().get("/api/me", bearer(r.key()));
                        assertThat(after.status()).as("revoked key after the outage").isEqualTo(401);
                        assertThat(after.text("code")).isEqualTo("api_key_revoked");
                    }
                }
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Map<String, Integer> rows = new HashMap<>();
                    nodeA.jdbc().query("SELECT request_id, COUNT(*) FROM usage_logs GROUP BY request_id", rs -> {
                        rows.put(rs.getString(1), rs.getInt(2));
                    });
                    assertThat(acknowledged.stream().filter(id -> rows.getOrDefault(id, 0) != 1).toList())
                            .as("acknowledged calls without exactly one usage record (of %d)", acknowledged.size())
                            .isEmpty();
                });
                System.out.printf("RELIABILITY Redis killed and started under load: %d outage(s) of 5 s; %d answers "
                                + "%s; %d calls acknowledged, each with one usage record; %d keys revoked (%d during an "
                                + "outage), each refused by both nodes, the longest still served %d ms after its "
                                + "revocation%n", rounds, statuses.size(), byStatus, acknowledged.size(), revoked.size(),
                        revoked.stream().filter(Revoked::duringOutage).count(),
                        lastAcceptedAfterRevocation.values().stream().mapToLong(ns -> ns / 1_000_000).max().orElse(0));
            }
        }
    }

    private static Response issue(TestApp node, Account owner, String name) {
        Response r = node.http().post("/api/api-keys", Map.of("name", name, "scopes", List.of("users:read")),
                bearer(owner.accessToken()));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r;
    }
}
