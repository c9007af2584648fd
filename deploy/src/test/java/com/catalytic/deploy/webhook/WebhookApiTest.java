package com.catalytic.deploy.webhook;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.webhook.WebhookSecrets;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Webhook endpoints over HTTP: the secret shown once and sealed at rest, admins only, every change audited. */
class WebhookApiTest {

    /** A public address written as a literal, so creation needs no DNS. */
    static final String PUBLIC_URL = "https://93.184.215.14/hooks/in";

    static final int MAX = 3;

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.webhooks.max-per-tenant", String.valueOf(MAX)));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Response create(String[] who, Object body) {
        return http.post("/api/webhooks", body, who);
    }

    @Test
    void aTenantHasAtMostTheConfiguredNumberOfWebhooksAndDeletingOneMakesRoom() {
        Account owner = Accounts.registerAndLogin(http, "capped");
        String[] o = bearer(owner.accessToken());
        String first = null;
        for (int i = 0; i < MAX; i++) {
            Response r = create(o, Map.of("url", PUBLIC_URL + "/" + i));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            first = first == null ? r.text("id") : first;
        }
        Response refused = create(o, Map.of("url", PUBLIC_URL + "/over"));
        problem(refused, 409, "webhook_limit", "url");
        assertThat(http.get("/api/webhooks", o).json().path("webhooks")).hasSize(MAX);
        // another tenant's count is its own
        Account other = Accounts.registerAndLogin(http, "uncapped");
        assertThat(create(bearer(other.accessToken()), Map.of("url", PUBLIC_URL)).status()).isEqualTo(201);

        assertThat(http.method("DELETE", "/api/webhooks/" + first, null, o).status()).isEqualTo(204);
        Response again = create(o, Map.of("url", PUBLIC_URL + "/over"));
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
    }

    @Test
    void theSecretIsShownOnceAndStoredOnlySealed() {
        Account owner = Accounts.registerAndLogin(http, "hooks");
        String[] o = bearer(owner.accessToken());
        Response created = create(o, Map.of("url", PUBLIC_URL, "description", "orders",
                "event_types", List.of("user.added", "api_key.issued")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.text("id");
        String secret = created.text("secret");
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSizeGreaterThanOrEqualTo(24);
        assertThat(created.text("url")).isEqualTo(PUBLIC_URL);
        assertThat(created.json().path("enabled").asBoolean()).isTrue();
        assertThat(created.json().path("event_types").toString()).isEqualTo("[\"api_key.issued\",\"user.added\"]");

        Response one = http.get("/api/webhooks/" + id, o);
        assertThat(one.status()).as(one.toString()).isEqualTo(200);
        assertThat(one.text("description")).isEqualTo("orders");
        assertThat(one.raw()).doesNotContain(secret).doesNotContain("secret_ciphertext");
        Response list = http.get("/api/webhooks", o);
        assertThat(list.json().path("webhooks")).hasSize(1);
        assertThat(list.json().path("webhooks").path(0).path("id").asText()).isEqualTo(id);
        assertThat(list.raw()).doesNotContain(secret);

        // at rest: the read table and the event store hold a ciphertext, never the secret
        String sealed = app.jdbc().queryForObject("SELECT secret_ciphertext FROM webhooks WHERE id = ?", String.class, id);
        assertThat(sealed).startsWith("v1.").doesNotContain(secret.substring(6));
        String events = app.jdbc().queryForList("SELECT payload FROM domain_event_entry", byte[].class).stream()
                .map(String::new).reduce("", String::concat);
        assertThat(events).contains(id).doesNotContain(secret.substring(6));
        assertThat(app.bean(WebhookSecrets.class).decrypt(id, sealed))
                .as("the sealed secret opens to the one shown").isEqualTo(secret);
    }

    @Test
    void changesRotationAndDeletionAndEachIsAudited() {
        Account owner = Accounts.registerAndLogin(http, "hooks-life");
        String[] o = bearer(owner.accessToken());
        Response created = create(o, Map.of("url", PUBLIC_URL));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.text("id");
        String first = created.text("secret");
        assertThat(created.json().path("event_types")).isEmpty();

        Response patched = http.method("PATCH", "/api/webhooks/" + id,
                "{\"enabled\":false,\"event_types\":[\"tenant.renamed\"]}", o);
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().path("enabled").asBoolean()).isFalse();
        assertThat(patched.json().path("event_types").path(0).asText()).isEqualTo("tenant.renamed");
        assertThat(patched.text("url")).isEqualTo(PUBLIC_URL);

        Instant before = Instant.now();
        Response rotated = http.post("/api/webhooks/" + id + "/rotate-secret", Map.of(), o);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String second = rotated.text("secret");
        assertThat(second).startsWith("whsec_").isNotEqualTo(first);
        Instant overlap = Instant.parse(rotated.text("previous_secret_valid_until"));
        assertThat(overlap).isBetween(before.plus(Duration.ofHours(24)).minusSeconds(1),
                Instant.now().plus(Duration.ofHours(24)).plusSeconds(1));
        var secrets = app.bean(WebhookSecrets.class);
        Map<String, Object> row = app.jdbc().queryForMap("SELECT secret_ciphertext, previous_secret_ciphertext "
                + "FROM webhooks WHERE id = ?", id);
        assertThat(secrets.decrypt(id, (String) row.get("secret_ciphertext"))).isEqualTo(second);
        assertThat(secrets.decrypt(id, (String) row.get("previous_secret_ciphertext"))).isEqualTo(first);

        Response deleted = http.method("DELETE", "/api/webhooks/" + id, null, o);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(http.get("/api/webhooks/" + id, o).status()).isEqualTo(404);
        assertThat(http.method("DELETE", "/api/webhooks/" + id, null, o).status()).isEqualTo(404);
        assertThat(http.post("/api/webhooks/" + id + "/rotate-secret", Map.of(), o).status()).isEqualTo(404);
        assertThat(http.get("/api/webhooks", o).json().path("webhooks")).isEmpty();

        // the audit trail has each change, and never a secret
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Response audit = http.get("/api/audit-logs?target_id=" + id, o);
            List<String> actions = audit.json().path("audit_logs").findValuesAsText("action");
            assertThat(actions).containsExactlyInAnyOrder("webhook.created", "webhook.updated",
                    "webhook.secret_rotated", "webhook.deleted");
            assertThat(audit.raw()).doesNotContain("v1.").doesNotContain(first.substring(6))
                    .doesNotContain(second.substring(6)).contains(PUBLIC_URL);
        });
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        Account owner = Accounts.registerAndLogin(http, "hooks-bad");
        String[] o = bearer(owner.accessToken());
        problem(create(o, Map.of("url", "ftp://93.184.215.14/x")), 422, "invalid_url", "url");
        problem(create(o, Map.of("url", "not a url")), 422, "invalid_url", "url");
        problem(create(o, Map.of("url", PUBLIC_URL, "event_types", List.of("user.exploded"))), 422,
                "unknown_event_type", "event_types");
        problem(create(o, Map.of("description", "no url")), 422, "validation_failed", "url");
        problem(create(o, Map.of("url", PUBLIC_URL, "colour", "red")), 400, null, null);
        problem(create(o, "{\"url\":"), 400, null, null);
        String id = create(o, Map.of("url", PUBLIC_URL)).text("id");
        assertThat(id).isNotBlank();
        problem(http.method("PATCH", "/api/webhooks/" + id, "{}", o), 422, "nothing_to_change", "url");
        problem(http.method("PATCH", "/api/webhooks/" + id, "{\"url\":\"http://10.0.0.1/\"}", o), 422,
                "target_not_allowed", "url");
        problem(http.method("PATCH", "/api/webhooks/" + id, "{\"enabled\":\"maybe\"}", o), 422, "invalid_type", "enabled");
        problem(http.get("/api/webhooks/no-such-id", o), 404, "not_found", null);
    }

    @Test
    void internalTargetsAreRefusedAtCreation() {
        Account owner = Accounts.registerAndLogin(http, "hooks-ssrf");
        String[] o = bearer(owner.accessToken());
        for (String url : List.of("http://127.0.0.1:8080/x", "http://10.0.0.1/x", "http://169.254.169.254/latest/",
                "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://localhost/x", "http://172.16.3.4/x",
                "http://100.64.0.1/x", "http://[fe80::1]/x", "http://224.0.0.1/x")) {
            problem(create(o, Map.of("url", url)), 422, "target_not_allowed", "url");
        }
        assertThat(http.get("/api/webhooks", o).json().path("webhooks")).as("nothing was created").isEmpty();
        assertThat(create(o, Map.of("url", "http://93.184.215.14/x")).status()).as("the positive control")
                .isEqualTo(201);
    }

    @Test
    void onlyAdminsAndKeysWithTheScopeManageWebhooks() {
        Account owner = Accounts.registerAndLogin(http, "hooks-roles");
        String[] o = bearer(owner.accessToken());
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String memberEmail = Accounts.uniqueEmail("hooks-member");
        assertThat(http.post("/api/users", Map.of("email", memberEmail, "role", "member", "password",
                Accounts.PASSWORD), o).status()).isEqualTo(201);
        String[] member = bearer(Accounts.login(http, memberEmail, Accounts.PASSWORD).accessToken());
        String id = create(o, Map.of("url", PUBLIC_URL)).text("id");
        assertThat(id).isNotBlank();

        problem(create(member, Map.of("url", PUBLIC_URL)), 403, "insufficient_scope", null);
        problem(http.get("/api/webhooks", member), 403, "insufficient_scope", null);
        problem(http.get("/api/webhooks/" + id, member), 403, "insufficient_scope", null);
        problem(http.method("DELETE", "/api/webhooks/" + id, null, member), 403, "insufficient_scope", null);

        String without = http.post("/api/api-keys", Map.of("name", "no-hooks", "scopes", List.of("users:read")), o)
                .text("key");
        String with = http.post("/api/api-keys", Map.of("name", "hooks", "scopes", List.of("webhooks:manage")), o)
                .text("key");
        problem(http.get("/api/webhooks", "X-API-Key", without), 403, "insufficient_scope", null);
        problem(create(new String[] {"X-API-Key", without}, Map.of("url", PUBLIC_URL)), 403, "insufficient_scope",
                null);
        assertThat(http.get("/api/webhooks", "X-API-Key", with).json().path("webhooks")).hasSize(1);
        assertThat(create(new String[] {"X-API-Key", with}, Map.of("url", PUBLIC_URL)).status()).isEqualTo(201);
    }

    @Test
    void theCatalogueHasASchemaPerType() {
        Account owner = Accounts.registerAndLogin(http, "hooks-types");
        Response r = http.get("/api/webhooks/event-types", bearer(owner.accessToken()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode types = r.json().path("event_types");
        List<String> names = types.findValuesAsText("type");
        assertThat(names).contains("tenant.registered", "tenant.renamed", "user.added", "user.removed",
                "api_key.issued", "api_key.revoked", "subscription.updated", "usage.threshold_reached",
                "lattice.created", "lattice.deleted", "webhook.test");
        for (JsonNode t : types) {
            JsonNode schema = t.path("schema");
            assertThat(schema.path("$schema").asText()).as(t.toString()).contains("json-schema.org");
            assertThat(schema.path("required").toString()).contains("id", "type", "created_at", "tenant_id", "data");
            assertThat(schema.path("properties").path("type").path("const").asText()).isEqualTo(t.path("type").asText());
            assertThat(schema.path("properties").path("data").path("type").asText()).isEqualTo("object");
        }
        assertThat(http.get("/api/webhooks/event-types").status()).as("authenticated only").isEqualTo(401);
    }

    static void problem(Response r, int status, String code, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        if (code != null) {
            assertThat(r.text("code")).as(r.toString()).isEqualTo(code);
        }
        if (field != null) {
            assertThat(r.text("field")).as(r.toString()).isEqualTo(field);
        }
    }
}
