package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.io.File;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service is killed with SIGKILL in the middle of a burst of metered calls. After a restart, every call that
 * got a 2xx has exactly one usage record: none lost, none duplicated.
 */
class CrashDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCallHasExactlyOneUsageRecordAfterAKill() throws Exception {
        String schema = TestApp.newSchema();
        int port = freePort();
        Process first = launch(schema, port);
        Http http = new Http("http://127.0.0.1:" + port);
        Account owner;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try {
            waitForHealth(http);
            owner = Accounts.registerAndLogin(http, "crash");
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
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 150);
            first.destroyForcibly(); // SIGKILL, mid-burst
            first.waitFor(10, TimeUnit.SECONDS);
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(40, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(150);

        Process second = launch(schema, port);
        try {
            waitForHealth(http);
            String jdbc = TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<String, Integer> counts = usageRowsPerRequest(jdbc, owner.tenantId());
                List<String> missing = new ArrayList<>();
                for (String id : acknowledged) {
                    if (!counts.containsKey(id)) {
                        missing.add(id);
                    }
                }
                assertThat(missing).as("acknowledged calls without a usage record").isEmpty();
            });
            Map<String, Integer> counts = usageRowsPerRequest(jdbc, owner.tenantId());
            assertThat(counts.values()).as("one record per call").allMatch(n -> n == 1);
        } finally {
            second.destroyForcibly();
            second.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process launch(String schema, int port) throws Exception {
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
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DATABASE_URL");
        env.put("REDIS_HOST", TestApp.redisHost());
        env.put("REDIS_PORT", TestApp.redisPort());
        env.put("CATALYTIC_DATA_DIR", dir.toString());
        env.put("MANAGEMENT_PORT", "0");
        pb.environment().clear();
        pb.environment().putAll(env);
        File log = dir.resolve("app-" + System.nanoTime() + ".log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        return pb.start();
    }

    private static void waitForHealth(Http http) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .untilAsserted(() -> assertThat(http.get("/health").status()).isEqualTo(200));
    }

    private static Map<String, Integer> usageRowsPerRequest(String jdbc, String tenantId) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, TestApp.pgUser(), "");
             PreparedStatement ps = c.prepareStatement(
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
