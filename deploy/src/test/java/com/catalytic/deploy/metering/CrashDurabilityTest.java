package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service is killed with SIGKILL in the middle of a burst of metered calls, while some acknowledged calls are
 * shipped to the event store and others are only in its usage journal. After a restart, every call that got a 2xx
 * has exactly one usage record: none lost, none duplicated.
 */
class CrashDurabilityTest {

    @TempDir
    Path dir;
    private Path log;
    private Connection db;

    @Test
    void everyAcknowledgedCallHasExactlyOneUsageRecordAfterAKill() throws Exception {
        String schema = TestApp.newSchema();
        Connection db = connect(schema);
        int port = freePort();
        // shipments of exactly 100 calls, never a partial one (the linger outlasts the test): what the first run
        // ships and what only its journal holds at the kill are known, whatever the machine's speed
        Process first = launch(schema, port, "--catalytic.metering.max-shipment=100",
                "--catalytic.metering.ship-linger=1h");
        Http http = new Http("http://127.0.0.1:" + port);
        Account owner;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try {
            waitForHealth(http);
            owner = Accounts.registerAndLogin(http, "crash");
            // one at a time, so that each is a journal batch of its own: the 100th completes the first shipment
            for (int i = 0; i < 100; i++) {
                Http.Response r = http.get("/api/me", bearer(owner.accessToken()));
                assertThat(r.status()).as("call %d: %s", i + 1, r).isEqualTo(200);
                acknowledged.add(r.header("X-Request-ID"));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> shipped(db, owner.tenantId()), n -> n == 100);
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            for (int t = 0; t < 6; t++) {
                pool.submit(() -> {
                    while (running.get()) {
                        try {
                            Http.Response r = http.get("/api/me", bearer(owner.accessToken()));
                            if (r.status() >= 200 && r.status() < 300) {
                                acknowledged.add(r.header("X-Request-ID"));
                            }
                        } catch (AssertionError connectionGone) {
                            return;
                        }
                    }
                });
            }
            // well short of a second shipment: everything acknowledged from here on is only in the journal
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> acknowledged.size() >= 130);
            first.destroyForcibly(); // SIGKILL, mid-burst
            first.waitFor(10, TimeUnit.SECONDS);
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(40, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
        }
        // the event store holds the first shipment only: the acknowledged calls after it survive in the journal
        // alone, so the restart below must replay it
        long shippedBeforeTheKill = shipped(db, owner.tenantId());
        assertThat(shippedBeforeTheKill).as("calls in the event store at the kill").isEqualTo(100);
        assertThat(acknowledged.size() - shippedBeforeTheKill).as("acknowledged calls only in the journal at the kill")
                .isGreaterThanOrEqualTo(30);

        Process second = launch(schema, port);
        try {
            waitForHealth(http);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<String, Integer> counts = usageRowsPerRequest(db, owner.tenantId());
                List<String> missing = new ArrayList<>();
                for (String id : acknowledged) {
                    if (!counts.containsKey(id)) {
                        missing.add(id);
                    }
                }
                assertThat(missing).as("acknowledged calls without a usage record").isEmpty();
            });
            // the first shipment was not shipped again: one record per call, and the ledger counts each call once
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, Integer> counts = usageRowsPerRequest(db, owner.tenantId());
                assertThat(counts.values()).as("one record per call").allMatch(n -> n == 1);
                assertThat(shipped(db, owner.tenantId())).isEqualTo(counts.size());
            });
        } finally {
            second.destroyForcibly();
            second.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process launch(String schema, int port, String... settings) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-Ddisable-axoniq-console-message=true", "-cp",
                System.getProperty("java.class.path"), CatalyticMain.class.getName(), "serve",
                "--server.port=" + port,
                "--spring.datasource.url=" + TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?")
                        + "currentSchema=" + schema,
                "--spring.datasource.username=" + TestApp.pgUser(),
                "--spring.flyway.schemas=" + schema,
                "--catalytic.redis.key-prefix=test:" + schema + ":",
                "--catalytic.auth.key-dir=" + TestApp.KEY_DIR,
                "--catalytic.plans.free.requests-per-minute=1000000",
                "--catalytic.plans.free.api-calls-per-month=-1"));
        cmd.addAll(List.of(settings));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DATABASE_URL");
        env.put("REDIS_HOST", TestApp.redisHost());
        env.put("REDIS_PORT", TestApp.redisPort());
        env.put("CATALYTIC_DATA_DIR", dir.toString());
        env.put("MANAGEMENT_PORT", "0");
        pb.environment().clear();
        pb.environment().putAll(env);
        log = dir.resolve("app-" + System.nanoTime() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /** Waits for the last launched process to answer; if it does not, its log's end says why. */
    private void waitForHealth(Http http) throws Exception {
        try {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(http.get("/health").status()).isEqualTo(200));
        } catch (ConditionTimeoutException e) {
            List<String> lines = Files.readAllLines(log);
            throw new AssertionError("the service did not come up; the end of its log:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())), e);
        }
    }

    /** One connection for the whole test, taken once the database has one to spare (it is shared by busy builds). */
    private Connection connect(String schema) {
        String url = TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        db = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> DriverManager.getConnection(url, TestApp.pgUser(), ""), c -> true);
        return db;
    }

    @AfterEach
    void disconnect() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    /** The tenant's calls in the event store: the quota ledger is advanced in each shipment's transaction. */
    private static long shipped(Connection db, String tenantId) throws Exception {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT COALESCE(SUM(used), 0) FROM quota_ledger WHERE tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Map<String, Integer> usageRowsPerRequest(Connection db, String tenantId) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT request_id, COUNT(*) FROM usage_logs WHERE tenant_id = ? GROUP BY request_id")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
