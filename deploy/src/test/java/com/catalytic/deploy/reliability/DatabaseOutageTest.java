package com.catalytic.deploy.reliability;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TcpProxy;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL away (every connection dropped and new ones refused, as when it stops or restarts), seen through a
 * relay that only this instance uses: no request is a 500; once the outage is known each request needing the
 * database is answered 503 {@code database_unavailable} with {@code Retry-After} at once, not after the pool's
 * wait; {@code /health} says {@code unhealthy} within a second; and the service recovers by itself when the database
 * is back, with nothing acknowledged before it lost.
 */
class DatabaseOutageTest {

    @Test
    void anOutageIsAnswered503AtOnceAndTheServiceRecoversByItself() {
        String schema = TestApp.newSchema();
        try (TcpProxy proxy = TcpProxy.toPostgres();
             TestApp app = proxy.startApp(schema, Map.of("catalytic.database.probe-interval", "200ms"))) {
            Http http = app.http();
            Account owner = Accounts.registerAndLogin(http, "outage");
            String[] auth = bearer(owner.accessToken());
            Map<String, Object> key = Map.of("name", "before", "scopes", List.of("users:read"));
            assertThat(http.post("/api/api-keys", key, auth).status()).as("positive control").isEqualTo(201);
            assertThat(http.get("/health").status()).isEqualTo(200);

            proxy.cut();
            // the first request to meet the outage finds it out, at worst after the pool's wait (5 s)
            Response first = timed(() -> http.post("/api/api-keys", Map.of("name", "first", "scopes",
                    List.of("users:read")), auth), Duration.ofSeconds(7));
            assertOutage(first);

            List<Long> millis = new ArrayList<>();
            List<Response> during = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long t0 = System.nanoTime();
                Response r = switch (i % 4) {
                    case 0 -> http.post("/api/api-keys", Map.of("name", "during-" + i, "scopes",
                            List.of("users:read")), auth);
                    case 1 -> http.get("/api/users", auth);
                    case 2 -> http.method("PATCH", "/api/tenant", "{\"name\":\"Renamed " + i + "\"}", auth);
                    default -> http.get("/api/usage", auth);
                };
                millis.add((System.nanoTime() - t0) / 1_000_000);
                during.add(r);
            }
            assertThat(during).allSatisfy(r -> {
                assertOutage(r);
                assertThat(r.json().path("may_have_taken_effect").asBoolean())
                        .as("refused before it had a connection: nothing changed").isFalse();
            });
            Collections.sort(millis);
            assertThat(millis.get(millis.size() * 9 / 10)).as("p90 of the answers during a known outage, ms: %s", millis)
                    .isLessThan(100);
            Response health = timed(() -> http.get("/health"), Duration.ofSeconds(1));
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.text("status")).isEqualTo("unhealthy");

            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(http.post("/api/api-keys", Map.of("name", "after", "scopes", List.of("users:read")),
                            auth).status()).isEqualTo(201));
            assertThat(http.get("/health").status()).isEqualTo(200);
            Response keys = http.get("/api/api-keys", auth);
            assertThat(keys.status()).isEqualTo(200);
            assertThat(keys.json().findValuesAsText("name")).contains("before", "after")
                    .doesNotContain("first").noneMatch(n -> n.startsWith("during-"));
            assertThat(http.get("/api/tenant", auth).text("name")).doesNotStartWith("Renamed");
        } finally {
            TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static void assertOutage(Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(503);
        assertThat(r.text("code")).isEqualTo("database_unavailable");
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
    }

    private static Response timed(Supplier<Response> call, Duration within) {
        long t0 = System.nanoTime();
        Response r = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("answered within %s", within).isLessThan(within);
        return r;
    }
}
