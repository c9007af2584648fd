package com.catalytic.deploy.apikey;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API keys over HTTP: shown once, stored as a hash, scoped, revocable, rotatable with a grace window. */
class ApiKeyTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.api-keys.last-used-flush-interval", "200"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Response issue(Account who, Object body) {
        return http.post("/api/api-keys", body, bearer(who.accessToken()));
    }

    @Test
    void aKeyIsShownOnceAndAuthenticatesBothWays() {
        Account owner = Accounts.registerAndLogin(http, "keys");
        Response created = issue(owner, Map.of("name", "ci", "scopes", List.of("users:read"), "expires_in_days", 30));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String key = created.text("key");
        assertThat(key).matches("clc_live_[2-9A-HJ-NP-Za-km-z]{32}");
        assertThat(created.text("prefix")).isEqualTo(key.substring(0, 13));
        assertThat(created.text("expires_at")).isNotBlank();

        Response viaHeader = http.get("/api/me", "X-API-Key", key);
        assertThat(viaHeader.status()).as(viaHeader.toString()).isEqualTo(200);
        assertThat(viaHeader.text("id")).isEqualTo(owner.userId());
        assertThat(http.get("/api/users", bearer(key)).status()).isEqualTo(200);

        // never shown again, never stored
        Response list = http.get("/api/api-keys", bearer(owner.accessToken()));
        assertThat(list.raw()).doesNotContain(key);
        JsonNode row = list.json().path("api_keys").path(0);
        assertThat(row.path("prefix").asText()).isEqualTo(key.substring(0, 13));
        assertThat(row.path("status").asText()).isEqualTo("active");
        Integer stored = app.jdbc().queryForObject("SELECT COUNT(*) FROM api_keys WHERE key_hash <> ? AND id = ?",
                Integer.class, key, created.text("id"));
        assertThat(stored).isEqualTo(1);
        String events = app.jdbc().queryForList("SELECT payload FROM domain_event_entry", byte[].class).stream()
                .map(String::new).reduce("", String::concat);
        assertThat(events).doesNotContain(key);

        // last use is recorded in batches
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                http.get("/api/api-keys", bearer(owner.accessToken())).json().path("api_keys").path(0)
                        .path("last_used_at").isNull()).isFalse());
    }

    @Test
    void scopesLimitWhatAKeyMayDo() {
        Account owner = Accounts.registerAndLogin(http, "scopes");
        String key = issue(owner, Map.of("name", "reader", "scopes", List.of("users:read"))).text("key");
        Response denied = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("x"), "role", "viewer",
                "password", Accounts.PASSWORD), bearer(key));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.text("code")).isEqualTo("insufficient_scope");
        assertThat(http.get("/api/api-keys", bearer(key)).status()).isEqualTo(403);
        assertThat(http.post("/api/api-keys", Map.of("name", "escalate", "scopes", List.of("users:read")), bearer(key))
                .status()).isEqualTo(403);

        Response unknown = issue(owner, Map.of("name", "bad", "scopes", List.of("root:all")));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text("code")).isEqualTo("unknown_scope");
        assertThat(issue(owner, Map.of("name", "bad", "scopes", List.of())).status()).isEqualTo(422);
        assertThat(issue(owner, Map.of("name", "bad", "scopes", List.of("users:read"), "expires_in_days", 0)).status())
                .isEqualTo(422);
    }

    @Test
    void aKeyNeverExceedsItsCreatorsRole() {
        Account owner = Accounts.registerAndLogin(http, "ceiling");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String email = Accounts.uniqueEmail("viewer");
        http.post("/api/users", Map.of("email", email, "role", "viewer", "password", Accounts.PASSWORD),
                bearer(owner.accessToken()));
        Account viewer = Accounts.login(http, email, Accounts.PASSWORD);
        Response above = issue(viewer, Map.of("name", "sneaky", "scopes", List.of("keys:manage")));
        assertThat(above.status()).isEqualTo(403);
        assertThat(above.text("code")).isEqualTo("scope_above_role");

        // an admin's key with users:manage stops managing once its creator is demoted
        String adminEmail = Accounts.uniqueEmail("admin");
        String adminId = http.post("/api/users", Map.of("email", adminEmail, "role", "admin", "password",
                Accounts.PASSWORD), bearer(owner.accessToken())).text("id");
        Account admin = Accounts.login(http, adminEmail, Accounts.PASSWORD);
        String key = issue(admin, Map.of("name", "ops", "scopes", List.of("users:manage", "users:read"))).text("key");
        assertThat(http.method("PATCH", "/api/users/does-not-exist", "{\"active\":false}", bearer(key))
                .status()).isEqualTo(404);
        http.method("PATCH", "/api/users/" + adminId, "{\"role\":\"member\"}", bearer(owner.accessToken()));
        Response demoted = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("z"), "role", "viewer",
                "password", Accounts.PASSWORD), bearer(key));
        assertThat(demoted.status()).isEqualTo(403);
        // and stops working altogether when its creator is deactivated
        http.method("PATCH", "/api/users/" + adminId, "{\"active\":false}", bearer(owner.accessToken()));
        Response inactive = http.get("/api/me", bearer(key));
        assertThat(inactive.status()).isEqualTo(401);
        assertThat(inactive.text("code")).isEqualTo("api_key_owner_inactive");
    }

    @Test
    void revokedKeysStopAtOnce() {
        Account owner = Accounts.registerAndLogin(http, "revoke");
        Response created = issue(owner, Map.of("name", "temp", "scopes", List.of("users:read")));
        String key = created.text("key");
        assertThat(http.get("/api/me", bearer(key)).status()).isEqualTo(200);
        assertThat(http.method("DELETE", "/api/api-keys/" + created.text("id"), null, bearer(owner.accessToken()))
                .status()).isEqualTo(204);
        Response revoked = http.get("/api/me", bearer(key));
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.text("code")).isEqualTo("api_key_revoked");
        assertThat(http.method("DELETE", "/api/api-keys/" + created.text("id"), null, bearer(owner.accessToken()))
                .status()).as("revoking twice is harmless").isEqualTo(204);
        assertThat(http.method("DELETE", "/api/api-keys/no-such-key", null, bearer(owner.accessToken())).status())
                .isEqualTo(404);
        assertThat(http.get("/api/me", bearer("clc_live_" + "A".repeat(32))).text("code")).isEqualTo("invalid_api_key");
        assertThat(http.get("/api/me", "X-API-Key", "not-a-key").text("code")).isEqualTo("invalid_api_key");
    }

    @Test
    void rotationKeepsTheOldKeyOnlyForTheGraceWindow() {
        Account owner = Accounts.registerAndLogin(http, "rotate");
        Response created = issue(owner, Map.of("name", "svc", "scopes", List.of("users:read")));
        String oldKey = created.text("key");
        Response rotated = http.post("/api/api-keys/" + created.text("id") + "/rotate", Map.of("grace_seconds", 2),
                bearer(owner.accessToken()));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(201);
        String newKey = rotated.text("key");
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(rotated.text("rotated_from")).isEqualTo(created.text("id"));
        assertThat(rotated.text("previous_key_valid_until")).isNotBlank();
        assertThat(http.get("/api/me", bearer(newKey)).status()).isEqualTo(200);
        assertThat(http.get("/api/me", bearer(oldKey)).status()).as("inside the grace window").isEqualTo(200);
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
            Response after = http.get("/api/me", bearer(oldKey));
            assertThat(after.status()).isEqualTo(401);
            assertThat(after.text("code")).isEqualTo("api_key_rotated");
        });
        assertThat(http.post("/api/api-keys/" + created.text("id") + "/rotate", Map.of("grace_seconds", 0),
                bearer(owner.accessToken())).status()).isEqualTo(409);
        assertThat(http.get("/api/me", bearer(newKey)).status()).isEqualTo(200);
    }

    @Test
    void membersSeeAndRevokeOnlyTheirOwnKeys() {
        Account owner = Accounts.registerAndLogin(http, "own");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String email = Accounts.uniqueEmail("m");
        http.post("/api/users", Map.of("email", email, "role", "member", "password", Accounts.PASSWORD),
                bearer(owner.accessToken()));
        Account memberUser = Accounts.login(http, email, Accounts.PASSWORD);
        String ownersKeyId = issue(owner, Map.of("name", "owner-key", "scopes", List.of("users:read"))).text("id");
        issue(memberUser, Map.of("name", "member-key", "scopes", List.of("lattices:read")));
        Response mine = http.get("/api/api-keys", bearer(memberUser.accessToken()));
        assertThat(mine.json().path("api_keys").size()).isEqualTo(1);
        assertThat(mine.json().path("api_keys").path(0).path("name").asText()).isEqualTo("member-key");
        assertThat(http.get("/api/api-keys", bearer(owner.accessToken())).json().path("api_keys").size()).isEqualTo(2);
        assertThat(http.method("DELETE", "/api/api-keys/" + ownersKeyId, null, bearer(memberUser.accessToken())).status())
                .isEqualTo(404);
    }
}
