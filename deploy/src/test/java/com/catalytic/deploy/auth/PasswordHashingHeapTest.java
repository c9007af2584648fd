package com.catalytic.deploy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    @TempDir
    Path dir;

    @Test
    void aBurstOfLoginsFromManyAddressesDoesNotExhaustTheHeap() throws Exception {
        try (ChildApp node = ChildApp.start(TestApp.newSchema(), dir, List.of("-Xmx160m", "-XX:+ExitOnOutOfMemoryError"),
                Map.of("catalytic.auth.password-hashing.max-concurrent", "2",
                        "catalytic.auth.password-hashing.max-wait", "1s"))) {
            Http http = node.http();
            int requests = 200;
            ExecutorService pool = Executors.newFixedThreadPool(requests);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < requests; i++) {
                    String ip = "203.0.113." + (i + 1);
                    answers.add(pool.submit(() -> {
                        go.await();
                        return login(http.base(), ip);
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
                assertThat(outcomes.keySet()).as("answers %s; the end of the node's log: %s", outcomes, node.logTail())
                        .contains("401 invalid_credentials")
                        .isSubsetOf("401 invalid_credentials", "503 busy", "503 service_unavailable");
            } finally {
                pool.shutdownNow();
            }
            assertThat(node.alive()).as("the node is still running; the end of its log: %s", node.logTail()).isTrue();
            // positive control: the node still serves sign-ups and logins
            Accounts.Account account = Accounts.registerAndLogin(http, "after-heap-burst");
            assertThat(account.accessToken()).isNotBlank();
            assertThat(node.log()).doesNotContain("OutOfMemoryError");
        }
    }

    /** A wrong-password login for an unknown address; -1 when no answer came within two minutes. */
    private static Response login(String base, String ip) {
        String body = "{\"email\":\"" + Accounts.uniqueEmail("heap") + "\",\"password\":\"wrong-password\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/auth/login"))
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
}
