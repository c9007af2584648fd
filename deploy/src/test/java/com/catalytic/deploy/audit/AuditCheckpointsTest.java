package com.catalytic.deploy.audit;

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
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints are kept: signed by the service as a tenant's chain grows (at most every interval) and whenever one
 * is asked for, listed newest first at {@code GET /api/audit-logs/checkpoints}, each verifying the chain; a tenant
 * sees only its own.
 */
class AuditCheckpointsTest {

    @Test
    void checkpointsAreSignedAsTheChainGrowsKeptAndListed() throws Exception {
        String schema = TestApp.newSchema();
        try (TestApp app = TestApp.start(schema, Map.of("catalytic.audit.checkpoint-interval", "0s",
                "catalytic.audit.checkpoint-tick", "200ms", "catalytic.plans.free.users", "10"))) {
            Http http = app.http();
            Account a = Accounts.registerAndLogin(http, "kept-a");
            Account b = Accounts.registerAndLogin(http, "kept-b");
            String[] authA = bearer(a.accessToken());
            String[] authB = bearer(b.accessToken());

            JsonNode scheduled = await().atMost(Duration.ofSeconds(30)).until(
                    () -> http.get("/api/audit-logs/checkpoints", authA).json().path("checkpoints"),
                    list -> list.size() >= 1);
            JsonNode first = scheduled.get(0);
            assertThat(first.path("tenant_id").asText()).isEqualTo(a.tenantId());
            Response verified = http.post("/api/audit-logs/verify", Map.of("checkpoint",
                    first.path("signature").asText()), authA);
            assertThat(verified.json().path("valid").asBoolean()).as(verified.toString()).isTrue();

            assertThat(http.post("/api/users", Map.of("email", Accounts.uniqueEmail("grow"), "role", "viewer",
                    "password", Accounts.PASSWORD), authA).status()).isEqualTo(201);
            long grown = await().atMost(Duration.ofSeconds(30)).until(
                    () -> http.get("/api/audit-logs/checkpoint", authA).json().path("count").asLong(),
                    count -> count > first.path("count").asLong());
            JsonNode newest = http.get("/api/audit-logs/checkpoints?limit=1", authA).json();
            assertThat(newest.path("checkpoints").get(0).path("count").asLong())
                    .as("the one asked for is kept, newest first").isEqualTo(grown);
            JsonNode listed = newest.path("checkpoints").get(0);
            JsonNode signed = Http.JSON.readTree(Base64.getUrlDecoder().decode(
                    listed.path("signature").asText().split("\\.")[1]));
            assertThat(listed.path("checkpoint_at").asText()).as("listed as signed")
                    .isEqualTo(signed.path("checkpoint_at").asText());
            String cursor = newest.path("next_cursor").asText();
            JsonNode older = http.get("/api/audit-logs/checkpoints?limit=1&cursor=" + cursor, authA).json();
            assertThat(older.path("checkpoints").get(0).path("count").asLong()).isLessThan(grown);

            Response theirs = http.get("/api/audit-logs/checkpoints", authB);
            assertThat(theirs.status()).isEqualTo(200);
            assertThat(theirs.raw()).as("tenant B sees only its own").doesNotContain(a.tenantId());
            await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/api/audit-logs/checkpoints", authB).raw()
                    .contains(b.tenantId()));
            String viewer = Accounts.uniqueEmail("viewer");
            assertThat(http.post("/api/users", Map.of("email", viewer, "role", "viewer", "password",
                    Accounts.PASSWORD), authA).status()).isEqualTo(201);
            Response byViewer = http.get("/api/audit-logs/checkpoints",
                    bearer(Accounts.login(http, viewer, Accounts.PASSWORD).accessToken()));
            assertThat(byViewer.status()).as("audit:read is for admins and owners: " + byViewer).isEqualTo(403);
            assertThat(http.get("/api/audit-logs/checkpoints?cursor=x", authA).status()).isEqualTo(422);
            assertThat(http.get("/api/audit-logs/checkpoints?limit=0", authA).status()).isEqualTo(422);
        } finally {
            TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
