package com.catalytic.deploy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A session can be refreshed for at most its maximum lifetime from its start, although every refresh moves the
 * sliding expiry (30 days here) further out.
 */
class RefreshLifetimeTest {

    private static final Duration MAX_LIFETIME = Duration.ofSeconds(10);

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of(
                "catalytic.auth.refresh-token-ttl", "30d",
                "catalytic.auth.refresh-token-max-lifetime", MAX_LIFETIME.toSeconds() + "s",
                "catalytic.auth.max-refreshes-per-session", "1000",
                "catalytic.auth.max-refreshes-per-ip", "1000"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aSessionEndsAtItsMaximumLifetimeHoweverOftenItIsRefreshed() {
        Accounts.Account acct = Accounts.registerAndLogin(http, "lifetime");
        String sessionId = acct.refreshToken().substring(0, acct.refreshToken().indexOf('.'));
        Response first = refresh(acct.refreshToken());
        assertThat(first.status()).as(first.toString()).isEqualTo(200);

        // the rotated token's expiry is the session's deadline, not 30 days from now
        Map<String, Object> row = app.jdbc().queryForMap(
                "SELECT started_at, expires_at FROM auth_sessions WHERE id = ?", sessionId);
        Duration granted = Duration.between(((Timestamp) row.get("started_at")).toInstant(),
                ((Timestamp) row.get("expires_at")).toInstant());
        assertThat(granted).isBetween(MAX_LIFETIME.minusSeconds(1), MAX_LIFETIME);

        // refreshing keeps working until the deadline, then the session is over
        AtomicReference<String> current = new AtomicReference<>(first.text("refresh_token"));
        AtomicReference<Response> last = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Response r = refresh(current.get());
            last.set(r);
            if (r.status() == 200) {
                current.set(r.text("refresh_token"));
                return false;
            }
            return true;
        });
        assertThat(last.get().status()).as(last.get().toString()).isEqualTo(401);
        assertThat(last.get().text("code")).isEqualTo("refresh_token_expired");

        // positive control: a new login starts a new lifetime
        Accounts.Account again = Accounts.login(http, acct.email(), Accounts.PASSWORD);
        assertThat(refresh(again.refreshToken()).status()).isEqualTo(200);
    }

    private static Response refresh(String refreshToken) {
        return http.post("/auth/refresh", Map.of("refresh_token", refreshToken));
    }
}
