package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no configuration at all the system runs on its embedded default (H2 file under the data directory, dev keys,
 * in-process Redis stand-in), and its state survives a restart.
 */
class EmbeddedDefaultTest {

    @TempDir
    Path dataDir;

    @Test
    void registerThenLoginAgainAfterARestart() {
        Map<String, String> props = Map.of(
                "server.port", "0",
                "CATALYTIC_DATA_DIR", dataDir.toString(),
                "REDIS_HOST", "",
                "DATABASE_URL", "",
                "catalytic.plans.free.users", "5");
        String email = Accounts.uniqueEmail("embedded");
        try (TestApp first = TestApp.startWith(props)) {
            Response health = first.http().get("/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.text("status")).isEqualTo("healthy");
            assertThat(health.json().path("checks").path("redis").path("mode").asText()).isEqualTo("in-process");
            assertThat(first.http().post("/auth/register", Http.registration(email, Accounts.PASSWORD, "Embedded Ltd"))
                    .status()).isEqualTo(201);
        }
        assertThat(Files.exists(dataDir.resolve("catalytic.mv.db"))).as("database file under the data directory").isTrue();
        assertThat(Files.exists(dataDir.resolve("keys").resolve("jwt_dev_private.pem"))).isTrue();

        try (TestApp second = TestApp.startWith(props)) {
            Response login = second.http().post("/auth/login", Map.of("email", email, "password", Accounts.PASSWORD));
            assertThat(login.status()).as(login.toString()).isEqualTo(200);
            Response me = second.http().get("/api/me", Http.bearer(login.text("access_token")));
            assertThat(me.status()).isEqualTo(200);
            assertThat(me.text("email")).isEqualTo(email);
            // metered on the embedded database too, and an invitation goes through the mail queue to the outbox
            String invitee = Accounts.uniqueEmail("invitee");
            Response invited = second.http().post("/api/users", Map.of("email", invitee, "role", "viewer"),
                    Http.bearer(login.text("access_token")));
            assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(second.jdbc().queryForObject("SELECT COUNT(*) FROM usage_logs", Long.class)).isPositive();
                assertThat(second.jdbc().queryForObject("SELECT COUNT(*) FROM mail_queue WHERE recipient = ? "
                        + "AND sent_at IS NOT NULL", Long.class, invitee)).isEqualTo(1);
                try (var files = Files.list(dataDir.resolve("outbox"))) {
                    assertThat(files.filter(f -> {
                        try {
                            return Files.readString(f).contains("To: " + invitee + "\r\n");
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).count()).isEqualTo(1);
                }
            });
        }
    }
}
