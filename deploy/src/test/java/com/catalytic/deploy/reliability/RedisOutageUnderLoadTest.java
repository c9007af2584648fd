package com.catalytic.deploy.reliability;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.LocalRedis;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Redis killed and started again while two nodes serve metered calls, and API keys are issued and revoked all the
 * while. Throughout: no 5xx; every acknowledged call has exactly one usage record; every key revoked (before, during
 * or after the outage) is refused by both nodes within seconds of its revocation, and after the outage. The nodes
 * run in JVMs of their own; the load comes from this one. Then each checker is shown to report a run that breaks its
 * promise.
 */
class RedisOutageUnderLoadTest {

    /** How long a revoked key may still be served by a node that has not heard of the revocation yet. */
    private static final long REVOCATION_BOUND_NANOS = 5_000_000_000L;

    @TempDir
    Path dir;

    /** Issued, then revoked on one node: when the revocation was answered. */
    record Revoked(String key, String id, long revokedAtNanos, boolean duringOutage) {
    }

    /**
     * What a run saw: every answer's status, the acknowledged calls and their usage records, how long after its
     * revocation each revoked key was last served, and how each node answered each revoked key after the outage.
     */
    record Observed(List<Integer> statuses, Set<String> acknowledged, Map<String, Integer> usageRecords,
                    Map<String, Long> servedAfterRevocationNanos, Map<String, String> revokedAfterOutage) {
    }

    @Test
    void redisStoppedAndStartedUnderLoadLosesNoCallAndEveryRevocationHolds() throws Exception {
        String schema = TestApp.newSchema();
        int rounds = Integer.getInteger("reliability.rounds", 1);
        try (LocalRedis redis = new LocalRedis().start()) {
            // the limits are raised: what is tested is the outage, not the free plan's limits
            Map<String, String> settings = Map.of("REDIS_PORT", Integer.toString(redis.port()),
                    "catalytic.plans.free.requests-per-minute", "1000000",
                    "catalytic.plans.free.api-calls-per-month", "-1",
                    // revoked keys are tried again and again from one address: that is the test, not an attack
                    "catalytic.auth.max-failed-keys-per-ip", "1000000");
            // each node has a data folder (its usage journal) of its own
            try (ChildApp nodeA = ChildApp.start(schema, Files.createDirectories(dir.resolve("a")), List.of("-Xmx384m"),
                    settings);
                 ChildApp nodeB = ChildApp.start(schema, Files.createDirectories(dir.resolve("b")), List.of("-Xmx384m"),
                         settings)) {
                Observed observed = underLoad(List.of(nodeA, nodeB), redis, rounds,
                        new JdbcTemplate(new DriverManagerDataSource(ChildApp.jdbcUrl(schema), TestApp.pgUser(), "")));
                assertThat(observed.acknowledged()).hasSizeGreaterThan(500);
                assertThat(observed.servedAfterRevocationNanos()).as("revoked keys tried").isNotEmpty();
                assertThat(violations(observed)).as("promises broken").isEmpty();

                Map<Integer, Long> byStatus = new TreeMap<>();
                observed.statuses().forEach(s -> byStatus.merge(s, 1L, Long::sum));
                System.out.printf("RELIABILITY Redis killed and started under load: %d outage(s) of 5 s; %d answers "
                                + "%s; %d calls acknowledged, each with one usage record; %d keys revoked, each "
                                + "refused by both nodes, the longest still served %d ms after its revocation%n", rounds,
                        observed.statuses().size(), byStatus, observed.acknowledged().size(),
                        observed.revokedAfterOutage().size() / 2, observed.servedAfterRevocationNanos().values()
                                .stream().mapToLong(ns -> ns / 1_000_000).max().orElse(0));

                // each checker reports a run that breaks its promise
                String call = observed.acknowledged().iterator().next();
                String revokedKey = observed.revokedAfterOutage().keySet().iterator().next();
                assertReported(observed, o -> {
                    List<Integer> statuses = new ArrayList<>(o.statuses());
                    statuses.add(503);
                    return new Observed(statuses, o.acknowledged(), o.usageRecords(), o.servedAfterRevocationNanos(),
                            o.revokedAfterOutage());
                }, "answered 503");
                assertReported(observed, o -> {
                    Map<String, Integer> records = new HashMap<>(o.usageRecords());
                    records.remove(call);
                    return new Observed(o.statuses(), o.acknowledged(), records, o.servedAfterRevocationNanos(),
                            o.revokedAfterOutage());
                }, "call " + call + ": 0 usage records");
                assertReported(observed, o -> {
                    Map<String, Long> served = new HashMap<>(o.servedAfterRevocationNanos());
                    served.put("late", REVOCATION_BOUND_NANOS + 1);
                    return new Observed(o.statuses(), o.acknowledged(), o.usageRecords(), served,
                            o.revokedAfterOutage());
                }, "a revoked key served");
                assertReported(observed, o -> {
                    Map<String, String> after = new HashMap<>(o.revokedAfterOutage());
                    after.put(revokedKey, "200 null");
                    return new Observed(o.statuses(), o.acknowledged(), o.usageRecords(),
                            o.servedAfterRevocationNanos(), after);
                }, "revoked key " + revokedKey);
            }
        }
    }

    /** Metered calls on both nodes, keys issued and revoked, through {@code rounds} Redis outages of 5 s. */
    private static Observed underLoad(List<ChildApp> nodes, LocalRedis redis, int rounds, JdbcTemplate db)
            throws Exception {
        ChildApp nodeA = nodes.get(0);
        Account owner = Accounts.registerAndLogin(nodeA.http(), "redis-load");
        String key = issue(nodeA, owner, "load").text("key");
        for (ChildApp node : nodes) {
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
            ChildApp node = nodes.get(w % 2);
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
                ChildApp on = nodes.get(i % 2);
                Response issued = issue(on, owner, "revoked-" + i);
                String k = issued.text("key");
                String id = issued.text("id");
                for (ChildApp node : nodes) {
                    assertThat(node.http().get("/api/me", bearer(k)).status()).isEqualTo(200);
                }
                boolean during = outage.get();
                assertThat(on.http().method("DELETE", "/api/api-keys/" + id, null,
                        bearer(owner.accessToken())).status()).isEqualTo(204);
                revoked.add(new Revoked(k, id, System.nanoTime(), during));
                lastAcceptedAfterRevocation.putIfAbsent(k, 0L);
                Thread.sleep(100);
            }
            return null;
        }));
        workers.add(load.submit(() -> { // a revoked key must not be served for more than seconds
            while (running.get()) {
                for (Revoked r : revoked) {
                    for (ChildApp node : nodes) {
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
            for (ChildApp node : nodes) {
                assertThat(node.http().get("/health").text("status")).as("health without Redis")
                        .isEqualTo("degraded");
            }
            redis.start(); // empty: nothing of what it held before
            outage.set(false);
            for (ChildApp node : nodes) {
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
        assertThat(revoked).as("keys revoked during an outage").anyMatch(Revoked::duringOutage);

        Map<String, String> after = new HashMap<>();
        for (Revoked r : revoked) {
            for (int n = 0; n < nodes.size(); n++) {
                Response answer = nodes.get(n).http().get("/api/me", bearer(r.key()));
                after.put(r.id() + " on node " + n, answer.status() + " " + answer.text("code"));
            }
        }
        // the journals are shipped and projected within moments
        Map<String, Integer> records = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            records.clear();
            db.query("SELECT request_id, COUNT(*) FROM usage_logs GROUP BY request_id",
                    rs -> {
                        records.put(rs.getString(1), rs.getInt(2));
                    });
            return acknowledged.stream().allMatch(id -> records.getOrDefault(id, 0) == 1);
        });
        return new Observed(new ArrayList<>(statuses), Set.copyOf(acknowledged), Map.copyOf(records),
                Map.copyOf(lastAcceptedAfterRevocation), after);
    }

    /** Each promise of the scenario the run broke, one line each. */
    static List<String> violations(Observed o) {
        List<String> out = new ArrayList<>();
        Map<Integer, Long> byStatus = new TreeMap<>();
        o.statuses().forEach(s -> byStatus.merge(s, 1L, Long::sum));
        byStatus.forEach((status, count) -> {
            if (status != 200) {
                out.add("answered " + status + ": " + count + " time(s)");
            }
        });
        o.acknowledged().stream().filter(id -> o.usageRecords().getOrDefault(id, 0) != 1)
                .forEach(id -> out.add("call " + id + ": " + o.usageRecords().getOrDefault(id, 0) + " usage records"));
        o.servedAfterRevocationNanos().forEach((key, ns) -> {
            if (ns >= REVOCATION_BOUND_NANOS) {
                out.add("a revoked key served " + ns / 1_000_000 + " ms after its revocation");
            }
        });
        o.revokedAfterOutage().forEach((key, answer) -> {
            if (!answer.equals("401 api_key_revoked")) {
                out.add("revoked key " + key + " after the outage: " + answer);
            }
        });
        return out;
    }

    private static void assertReported(Observed clean, UnaryOperator<Observed> breakIt, String expected) {
        assertThat(violations(breakIt.apply(clean))).as("the checker reports: " + expected)
                .singleElement().asString().startsWith(expected);
    }

    private static Response issue(ChildApp node, Account owner, String name) {
        Response r = node.http().post("/api/api-keys", Map.of("name", name, "scopes", List.of("users:read")),
                bearer(owner.accessToken()));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r;
    }
}
