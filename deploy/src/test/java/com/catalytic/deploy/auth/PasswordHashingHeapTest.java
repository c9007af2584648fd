package com.catalytic.deploy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service in a JVM of its own with a small heap (160 MiB): 200 concurrent wrong-password logins from 200
 * addresses, each of which passes the login limits, would need 200 × 16 MiB of Argon2id memory at once. With
 * hashing bounded (two at a time) the node answers every one and stays up; the JVM exits on an OutOfMemoryError,
 * which is what happens to it without the bound (max-concurrent raised to 10000).
 */
class PasswordHashingHeapTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Kept after the run, for a look when it fails. */
    static final Path LOG = Path.of("target", "password-hashing-heap-node.log").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aBurstOfLoginsFromManyAddressesDoesNotExhaustTheHeap() throws Exception {
        String schema = TestApp.newSchema();
        int port = freePort();
        Process node = launch(schema, port);
        Http http = new Http("http://127.0.0.1:" + port);
        try {
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .failFast("the node exited during start-up; see " + LOG, () -> !node.isAlive())
                    .untilAsserted(() -> assertThat(http.get("/health").status()).isEqualTo(200));

            int requests = 200;
            ExecutorService pool = Executors.newFixedThreadPool(requests);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < requests; i++) {
                    String ip = "203.0.113." + (i + 1);
                    answers.add(pool.submit(() -> {
                        go.await();
                        return login(port, ip);
                    }));
                }
                go.countDown();
                List<Response> responses = new ArrayList<>();
                for (Future<Response> f : answers) {
                    responses.add(f.get(180, TimeUnit.SECONDS));
                }
                Map<String, Long> outcomes = responses.stream().collect(Collectors.groupingBy(
                        r -> r.status() + " " + (r.status() > 0 ? r.text("code") : r.raw()), Collectors.counting()));
                // 401: checked; 503 busy: past the hashing bound; 503 service_unavailable: no database
                // connection within its timeout (the loaded test machine); never a 500 or no answer
                assertThat(outcomes.keySet()).as("answers %s; the end of the node's log: %s", outcomes, logTail())
                        .contains("401 invalid_credentials")
                        .isSubsetOf("401 invalid_credentials", "503 busy", "503 service_unavailable");
            } finally {
                pool.shutdownNow();
            }
            assertThat(node.isAlive()).as("the node is still running; the end of its log: %s", logTail()).isTrue();
            // positive control: the node still serves sign-ups and logins
            Accounts.Account account = Accounts.registerAndLogin(http, "after-heap-burst");
            assertThat(account.accessToken()).isNotBlank();
        } finally {
            node.destroyForcibly();
            node.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(log()).doesNotContain("OutOfMemoryError");
    }

    private Process launch(String schema, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx160m", "-XX:+ExitOnOutOfMemoryError",
                "-Ddisable-axoniq-console-message=true", "-cp", System.getProperty("java.class.path"),
                CatalyticMain.class.getName(), "serve",
                "--server.port=" + port,
                "--spring.datasource.url=" + TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?")
                        + "currentSchema=" + schema,
                "--spring.datasource.username=" + TestApp.pgUser(),
                "--spring.flyway.schemas=" + schema,
                "--catalytic.redis.key-prefix=test:" + schema + ":",
                "--catalytic.auth.key-dir=" + TestApp.KEY_DIR,
                "--catalytic.auth.password-hashing.max-concurrent=2",
                "--catalytic.auth.password-hashing.max-wait=1s"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DATABASE_URL");
        env.put("REDIS_HOST", TestApp.redisHost());
        env.put("REDIS_PORT", TestApp.redisPort());
        env.put("CATALYTIC_DATA_DIR", dir.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        File log = LOG.toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        return pb.start();
    }

    private String log() throws Exception {
        return Files.exists(LOG) ? Files.readString(LOG) : "";
    }

    /** A wrong-password login for an unknown address; -1 when no answer came within two minutes. */
    private static Response login(int port, String ip) {
        String body = "{\"email\":\"" + Accounts.uniqueEmail("heap") + "\",\"password\":\"wrong-password\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/auth/login"))
                .timeout(Duration.ofMinutes(2)).header("Content-Type", "application/json")
                .header("X-Forwarded-For", ip).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            return new Response(-1, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(-1, null, e.toString());
        }
    }

    private String logTail() throws Exception {
        String log = log();
        return log.substring(Math.max(0, log.length() - 3000));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
