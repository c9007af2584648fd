package com.catalytic.deploy.isolation;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Tenant B — as its owner and through its API key — calls every tenant-scoped endpoint with tenant A's ids. Every
 * answer is 404 (or 403 where a role rule answers first), nothing of A leaks into B's answers, and A's read tables
 * and event streams are byte for byte what they were.
 */
class TenantIsolationTest {

    static TestApp app;
    static Http http;
    static Account ownerA;
    static String memberA;
    static String keyIdA;
    static Account ownerB;
    static String keyB;

    /** Every /api endpoint must be exercised here; a new one fails {@link #everyTenantScopedEndpointIsCovered}. */
    static final Set<String> COVERED = Set.of(
            "GET /api/me", "GET /api/tenant", "PATCH /api/tenant", "GET /api/plans",
            "GET /api/users", "POST /api/users", "GET /api/users/{id}", "PATCH /api/users/{id}", "DELETE /api/users/{id}",
            "GET /api/api-keys", "POST /api/api-keys", "DELETE /api/api-keys/{id}", "POST /api/api-keys/{id}/rotate",
            "GET /api/usage", "GET /api/usage/logs",
            "GET /api/audit-logs", "GET /api/audit-logs/export", "GET /api/audit-logs/verify",
            "GET /api/audit-logs/checkpoint",
            "GET /api/subscription", "POST /api/subscription/checkout", "POST /api/subscription/portal",
            "GET /api/history/{aggregateType}/{id}", "GET /api/history/{aggregateType}/{id}/state");

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
        http = app.http();
        ownerA = Accounts.registerAndLogin(http, "tenant-a");
        Accounts.changePlan(app, ownerA.tenantId(), "starter");
        memberA = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("a-member"), "role", "member",
                "password", Accounts.PASSWORD), bearer(ownerA.accessToken())).text("id");
        keyIdA = http.post("/api/api-keys", Map.of("name", "a-key", "scopes", List.of("users:read")),
                bearer(ownerA.accessToken())).text("id");
        // A has a subscription (as a completed checkout leaves it)
        app.bean(org.axonframework.commandhandling.gateway.CommandGateway.class).sendAndWait(
                new com.catalytic.api.billing.SubscriptionCommands.RecordCheckoutCommand(
                        com.catalytic.api.billing.SubscriptionCommands.subscriptionIdFor(ownerA.tenantId()),
                        ownerA.tenantId(), "cs_a", "starter", "month", com.catalytic.api.auth.Actor.system()));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> app.jdbc()
                .queryForObject("SELECT COUNT(*) FROM subscriptions WHERE tenant_id = ?", Integer.class,
                        ownerA.tenantId()) == 1);
        ownerB = Accounts.registerAndLogin(http, "tenant-b");
        keyB = http.post("/api/api-keys", Map.of("name", "b-key", "scopes",
                List.of("users:read", "users:manage", "keys:manage", "lattices:read", "usage:read", "audit:read",
                        "webhooks:manage", "lattices:write")), bearer(ownerB.accessToken())).text("key");
        assertThat(keyB).startsWith("clc_live_");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void everyTenantScopedEndpointIsCovered() {
        RequestMappingHandlerMapping mapping = app.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        Set<String> endpoints = new TreeSet<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            for (String path : e.getKey().getPatternValues()) {
                if (path.startsWith("/api/")) {
                    e.getKey().getMethodsCondition().getMethods().forEach(m -> endpoints.add(m + " " + path));
                }
            }
        }
        assertThat(COVERED).as("add new endpoints to the isolation test").containsAll(endpoints);
    }

    @Test
    void tenantBCannotSeeOrTouchTenantA() {
        Map<String, List<Map<String, Object>>> before = snapshotOfA();

        for (String[] credential : List.of(bearer(ownerB.accessToken()), new String[] {"X-API-Key", keyB})) {
            String who = credential[0].equals("X-API-Key") ? "B's API key" : "B's owner";
            notFound(http.get("/api/users/" + memberA, credential), who + " GET user");
            notFound(http.get("/api/users/" + ownerA.userId(), credential), who + " GET owner");
            notFound(http.method("PATCH", "/api/users/" + memberA, "{\"role\":\"viewer\"}", credential), who + " PATCH");
            notFound(http.method("PATCH", "/api/users/" + memberA, "{\"active\":false}", credential), who + " deactivate");
            notFound(http.method("DELETE", "/api/users/" + memberA, null, credential), who + " DELETE user");
            notFound(http.method("DELETE", "/api/api-keys/" + keyIdA, null, credential), who + " DELETE key");
            notFound(http.post("/api/api-keys/" + keyIdA + "/rotate", Map.of("grace_seconds", 0), credential),
                    who + " rotate key");
            for (String history : List.of("tenant/" + ownerA.tenantId(), "user/" + memberA, "user/" + ownerA.userId(),
                    "api_key/" + keyIdA, "subscription/sub-" + ownerA.tenantId())) {
                notFound(http.get("/api/history/" + history, credential), who + " history " + history);
                notFound(http.get("/api/history/" + history + "/state", credential), who + " state " + history);
            }

            // collection and self endpoints answer with B's own data only
            for (String path : List.of("/api/me", "/api/tenant", "/api/users", "/api/api-keys", "/api/subscription",
                    "/api/users/" + ownerB.userId(), "/api/usage", "/api/usage/logs?limit=500",
                    "/api/audit-logs?limit=500", "/api/audit-logs/export", "/api/audit-logs/export?format=csv",
                    "/api/audit-logs/verify", "/api/audit-logs/checkpoint", "/api/audit-logs?target_id=" + memberA, "/api/audit-logs?actor_id="
                            + ownerA.userId())) {
                Response r = http.get(path, credential);
                assertThat(r.status()).as(who + " " + path).isEqualTo(200);
                assertThat(r.raw()).as(who + " " + path).doesNotContain(ownerA.tenantId(), ownerA.userId(), memberA,
                        keyIdA, ownerA.email());
            }
            assertThat(http.get("/api/plans", credential).status()).isEqualTo(200);
            // billing acts on B's own subscription only (no Stripe here: 503; API keys: 403)
            assertThat(http.post("/api/subscription/checkout", Map.of("plan", "starter", "interval", "month"),
                    credential).status()).isIn(403, 503);
            assertThat(http.post("/api/subscription/portal", Map.of(), credential).status()).isIn(403, 503);
            // B's writes stay in B
            assertThat(http.method("PATCH", "/api/tenant", "{\"name\":\"B renamed\"}", credential).status())
                    .isIn(200, 403);
            Response added = http.post("/api/users", Map.of("email", ownerA.email(), "role", "viewer", "password",
                    Accounts.PASSWORD), credential);
            assertThat(added.status()).as(who + " adding A's e-mail").isIn(402, 409);
            assertThat(http.post("/api/api-keys", Map.of("name", "b2", "scopes", List.of("users:read")), credential)
                    .status()).isEqualTo(201);
        }
        assertThat(snapshotOfA()).as("tenant A is unchanged").isEqualTo(before);
        assertThat(http.get("/api/tenant", bearer(ownerA.accessToken())).text("name")).isEqualTo("tenant-a Inc");
    }

    private static void notFound(Response r, String what) {
        assertThat(r.status()).as("%s -> %s", what, r).isEqualTo(404);
        assertThat(r.text("code")).isEqualTo("not_found");
    }

    private static Map<String, List<Map<String, Object>>> snapshotOfA() {
        String t = ownerA.tenantId();
        Map<String, List<Map<String, Object>>> s = new java.util.LinkedHashMap<>();
        s.put("tenants", app.jdbc().queryForList("SELECT * FROM tenants WHERE id = ?", t));
        s.put("users", app.jdbc().queryForList("SELECT * FROM users WHERE tenant_id = ? ORDER BY id", t));
        s.put("api_keys", app.jdbc().queryForList(
                "SELECT id, tenant_id, name, prefix, key_hash, scopes, created_by, created_at, expires_at, revoked_at, "
                        + "valid_until, replaced_by FROM api_keys WHERE tenant_id = ? ORDER BY id", t));
        s.put("subscriptions", app.jdbc().queryForList("SELECT * FROM subscriptions WHERE tenant_id = ?", t));
        List<String> ids = new ArrayList<>(List.of(t, ownerA.userId(), memberA, keyIdA, "sub-" + t));
        s.put("events", app.jdbc().queryForList("SELECT aggregate_identifier, sequence_number, payload_type "
                + "FROM domain_event_entry WHERE aggregate_identifier IN (?, ?, ?, ?, ?) ORDER BY global_index",
                ids.toArray()));
        return s;
    }
}
