package com.catalytic.deploy.cluster;

import static com.catalytic.deploy.support.MixedLoad.awaitProjectionsCaughtUp;
import static com.catalytic.deploy.support.MixedLoad.differences;
import static com.catalytic.deploy.support.MixedLoad.notStoredExactlyOnce;
import static com.catalytic.deploy.support.MixedLoad.snapshot;
import static com.catalytic.deploy.support.MixedLoad.step;
import static com.catalytic.deploy.support.MixedLoad.withoutOneUsageRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.MixedLoad.Acked;
import com.catalytic.deploy.support.TestApp;
import java.lang.management.ManagementFactory;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Three nodes on one PostgreSQL and Redis, each a JVM of its own with a data folder of its own, every role on each,
 * six segments per streaming processor. The segments spread two per node; mixed load goes to all three through
 * their ports; one is killed with SIGKILL. The other two take up its segments (three each) once its claims and
 * heartbeat lapse, measured from the kill; the killed node started again on its folder ships what its journal held
 * and gets its share back. Then every acknowledged command is stored once, every acknowledged call has one usage
 * record, and every read table equals a fresh rebuild.
 */
class NodeKillTest {

    private static final int SEGMENTS = 6;
    private static final int WORKERS_PER_NODE = 2;
    private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLAIM_INTERVAL = Duration.ofSeconds(2);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** Claims lapse, then a heartbeat raises the survivors' shares, then a claim round takes them up. */
    private static final Duration TAKEOVER_BOUND = CLAIM_TIMEOUT.plus(HEARTBEAT).plus(CLAIM_INTERVAL);
    /** What a loaded two-core machine may add to the bound (three services, the load and PostgreSQL on it). */
    private static final Duration SLACK = Duration.ofSeconds(6);

    /** The nodes run on this machine: their ids (pid@host) end as this JVM's does. */
    private static final String HOST = ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^[0-9]+@", "");

    @TempDir
    Path dir;

    @Test
    void theOthersTakeUpAKilledNodesSegmentsAndNothingAcknowledgedIsLost() throws Exception {
        String schema = TestApp.newSchema();
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(ChildApp.jdbcUrl(schema), TestApp.pgUser(), ""));
        Map<String, String> settings = new HashMap<>(TestApp.relaxedLimits());
        settings.put("catalytic.plans.free.lattices", "-1");
        settings.put("catalytic.processors.segments", Integer.toString(SEGMENTS));
        settings.put("catalytic.token-store.claim-timeout", CLAIM_TIMEOUT.toSeconds() + "s");
        settings.put("catalytic.processors.claim-interval", CLAIM_INTERVAL.toSeconds() + "s");
        settings.put("catalytic.processors.heartbeat", HEARTBEAT.toSeconds() + "s");
        List<ChildApp> nodes = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        Set<Acked> commands = ConcurrentHashMap.newKeySet();
        Set<String> calls = ConcurrentHashMap.newKeySet();
        try {
            for (int n = 0; n < 3; n++) {
                folders.add(Files.createDirectory(dir.resolve("node-" + n)));
                nodes.add(ChildApp.start(schema, folders.get(n), List.of("-Xmx384m"), settings));
            }
            List<String> processors = db.queryForList("SELECT DISTINCT processor_name FROM token_entry", String.class);
            assertThat(processors).as("streaming processors").contains("usage", "audit");
            awaitShares(db, processors, Map.of(pid(nodes.get(0)), 2, pid(nodes.get(1)), 2, pid(nodes.get(2)), 2));

            List<Account> owners = new ArrayList<>();
            for (int w = 0; w < 3 * WORKERS_PER_NODE; w++) {
                owners.add(Accounts.registerAndLogin(nodes.get(w % 3).http(), "scale" + w));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(owners.size());
            for (int w = 0; w < owners.size(); w++) {
                ChildApp node = nodes.get(w % 3);
                Account owner = owners.get(w);
                pool.submit(() -> {
                    for (int i = 0; running.get(); i++) {
                        try {
                            step(node.http(), owner, i, commands, calls);
                        } catch (AssertionError connectionGone) {
                            return; // the killed node: no answer, so nothing acknowledged
                        }
                    }
                });
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> commands.size() >= 60 && calls.size() >= 150);

            ChildApp killed = nodes.get(2);
            long killedAt = System.nanoTime();
            killed.kill(); // SIGKILL, mid-load
            Map<Long, Integer> survivors = Map.of(pid(nodes.get(0)), 3, pid(nodes.get(1)), 3);
            awaitShares(db, processors, survivors);
            Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
            assertThat(takeover).as("segments of the killed node taken up by the others")
                    .isLessThanOrEqualTo(TAKEOVER_BOUND.plus(SLACK));

            // the survivors keep answering after the takeover
            int commandsAtTakeover = commands.size();
            int callsAtTakeover = calls.size();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> commands.size() - commandsAtTakeover >= 20 && calls.size() - callsAtTakeover >= 50);
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            // started again on its folder, the node ships what its journal held and gets its share back
            ChildApp restarted = ChildApp.start(schema, folders.get(2), List.of("-Xmx384m"), settings);
            nodes.set(2, restarted);
            awaitShares(db, processors, Map.of(pid(nodes.get(0)), 2, pid(nodes.get(1)), 2, pid(restarted), 2));

            assertThat(notStoredExactlyOnce(db, commands)).as("acknowledged commands not stored exactly once (of %d)",
                    commands.size()).isEmpty();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(withoutOneUsageRecord(db, calls))
                    .as("acknowledged calls without exactly one usage record (of %d)", calls.size()).isEmpty());
            awaitProjectionsCaughtUp(db);
            for (ChildApp node : nodes) {
                node.close();
            }
            Map<String, List<Map<String, Object>>> projected = snapshot(db);
            assertThat(projected.get("usage_logs")).hasSizeGreaterThanOrEqualTo(calls.size());
            Cli.Result rebuild = Cli.run(schema, "projections", "rebuild", "--no-progress");
            assertThat(rebuild.code()).as(rebuild.out()).isZero();
            Map<String, List<Map<String, Object>>> rebuilt = snapshot(db);
            assertThat(differences(projected, rebuilt)).as("read tables unlike their rebuild").isEmpty();
            System.out.printf("SCALE-OUT three nodes, one killed under mixed load: its segments taken up by the other "
                            + "two %.1f s after the kill (bound %d s: claim timeout %d s + heartbeat %d s + claim "
                            + "interval %d s); %d acknowledged commands each stored once, %d acknowledged calls each "
                            + "with one usage record, %d read tables equal to a fresh rebuild%n",
                    takeover.toMillis() / 1000.0, TAKEOVER_BOUND.toSeconds(), CLAIM_TIMEOUT.toSeconds(),
                    HEARTBEAT.toSeconds(), CLAIM_INTERVAL.toSeconds(), commands.size(), calls.size(), rebuilt.size());
        } finally {
            for (ChildApp node : nodes) {
                node.kill();
            }
        }
    }

    private static long pid(ChildApp node) {
        return node.pid();
    }

    /**
     * Until every segment of every processor is owned by one of {@code shares}' nodes (by process id), each holding
     * exactly its share of each processor.
     */
    private static void awaitShares(JdbcTemplate db, List<String> processors, Map<Long, Integer> shares) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Map<String, Integer> held = new TreeMap<>();
            db.query("SELECT processor_name, owner FROM token_entry", rs -> {
                held.merge(rs.getString(1) + " " + rs.getString(2), 1, Integer::sum);
            });
            Map<String, Integer> expected = new TreeMap<>();
            for (String processor : processors) {
                shares.forEach((pid, share) -> expected.put(processor + " " + pid + "@" + HOST, share));
            }
            assertThat(held).as("segments held, by processor and owner").isEqualTo(expected);
        });
    }
}
