package com.catalytic.deploy.auth;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Outbox;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Password reset by e-mail: one-time link, no account enumeration, every session ended, throttled. */
class PasswordResetTest {

    static Path outbox;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        outbox = Files.createTempDirectory("catalytic-outbox-");
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.mail.outbox-dir", outbox.toString()));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static List<String> resetMailsTo(String email) {
        return Outbox.messagesTo(outbox, email).stream().filter(m -> m.contains("Subject: Reset your")).toList();
    }

    private static String token(String mail) {
        Matcher m = Pattern.compile("reset-password\\?token=([A-Za-z0-9._-]+)").matcher(mail);
        assertThat(m.find()).as("a reset link in %s", mail).isTrue();
        return m.group(1);
    }

    @Test
    void aResetLinkSetsANewPasswordOnceAndEndsEverySession() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "reset");
        Response accepted = http.post("/auth/password-reset", Map.of("email", owner.email().toUpperCase()));
        assertThat(accepted.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(resetMailsTo(owner.email())).hasSize(1));
        String token = token(resetMailsTo(owner.email()).get(0));

        Response weak = http.post("/auth/password-reset/confirm", Map.of("token", token, "password", "short"));
        assertThat(weak.status()).isEqualTo(422);
        Response done = http.post("/auth/password-reset/confirm",
                Map.of("token", token, "password", "a brand new passphrase"));
        assertThat(done.status()).as(done.toString()).isEqualTo(204);

        assertThat(http.post("/auth/login", Map.of("email", owner.email(), "password", Accounts.PASSWORD)).status())
                .as("the old password").isEqualTo(401);
        assertThat(http.post("/auth/login", Map.of("email", owner.email(), "password", "a brand new passphrase"))
                .status()).isEqualTo(200);
        // the sessions of the old password are over
        assertThat(http.post("/auth/refresh", Map.of("refresh_token", owner.refreshToken())).status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                http.get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(401));
        // once only
        Response again = http.post("/auth/password-reset/confirm",
                Map.of("token", token, "password", "another new passphrase"));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.text("code")).isEqualTo("invalid_reset_token");
    }

    @Test
    void unknownAddressesGetTheSameAnswerAndNoMailAndRequestsAreThrottled() throws Exception {
        String nobody = Accounts.uniqueEmail("nobody");
        Response r = http.post("/auth/password-reset", Map.of("email", nobody));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("accepted");
        assertThat(http.post("/auth/password-reset", Map.of("email", "not an address")).status()).isEqualTo(422);
        assertThat(http.post("/auth/password-reset/confirm", Map.of("token", "nobody.secret", "password",
                "a brand new passphrase")).status()).isEqualTo(401);
        for (int i = 0; i < 4; i++) {
            assertThat(http.post("/auth/password-reset", Map.of("email", nobody)).status()).isEqualTo(202);
        }
        Response throttled = http.post("/auth/password-reset", Map.of("email", nobody));
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isNotNull();
        // positive control, requested after the others: an address with an account gets its link
        Account someone = Accounts.registerAndLogin(http, "someone");
        assertThat(http.post("/auth/password-reset", Map.of("email", someone.email())).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(resetMailsTo(someone.email())).hasSize(1));
        // every event handled and every queued e-mail delivered: none was ever meant for the unknown address
        Outbox.awaitQuiet(app);
        assertThat(resetMailsTo(nobody)).isEmpty();
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM mail_queue WHERE recipient = ?", Long.class,
                nobody)).isZero();
    }
}
