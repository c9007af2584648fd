package com.catalytic.deploy.apikey;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.ApiKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client address whose API-key checks keep finding no key is refused (429 {@code too_many_failed_keys}, with
 * {@code Retry-After}) after {@code catalytic.auth.max-failed-keys-per-ip} of them in the window (30 a minute), before
 * any lookup; other addresses are not affected, and keys that exist never count.
 */
class UnknownKeyLimitTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        // the default limit (the test application raises it for the other tests)
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.auth.max-failed-keys-per-ip", "30"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Response me(String key, String address) {
        return http.get("/api/me", "X-API-Key", key, "X-Forwarded-For", address);
    }

    @Test
    void thirtyUnknownKeysFromOneAddressThenItIsRefusedBeforeAnyLookup() {
        Account owner = Accounts.registerAndLogin(http, "unknown-keys");
        Response issued = http.post("/api/api-keys", Map.of("name", "real", "scopes", List.of("users:read")),
                bearer(owner.accessToken()));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String real = issued.text("key");

        String stranger = "198.51.100.7";
        for (int i = 0; i < 40; i++) { // the real key, used all along from the same address, never counts
            assertThat(me(real, stranger).status()).isEqualTo(200);
        }
        for (int i = 0; i < 30; i++) {
            Response unknown = me(ApiKeys.generate(), stranger);
            assertThat(unknown.status()).as("unknown key %d: %s", i + 1, unknown).isEqualTo(401);
            assertThat(unknown.text("code")).isEqualTo("invalid_api_key");
        }
        Response refused = me(ApiKeys.generate(), stranger);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.text("code")).isEqualTo("too_many_failed_keys");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
        // refused before the lookup: the real key too, from that address, until the window ends
        assertThat(me(real, stranger).status()).isEqualTo(429);

        // another address is not affected: its unknown keys are checked, its real key works
        String neighbour = "198.51.100.8";
        assertThat(me(ApiKeys.generate(), neighbour).status()).isEqualTo(401);
        assertThat(me(real, neighbour).status()).isEqualTo(200);
    }
}
