package com.catalytic.deploy.web;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /api/usage/export}: every metered call of a period, NDJSON or CSV, the caller's tenant's only. */
class UsageExportTest {

    @Test
    void theCallsOfAPeriodAreExportedAsNdjsonAndCsv() {
        String schema = TestApp.newSchema();
        try (TestApp app = TestApp.start(schema, Map.of())) {
            Http http = app.http();
            Account a = Accounts.registerAndLogin(http, "export-a");
            Account b = Accounts.registerAndLogin(http, "export-b");
            String[] authA = bearer(a.accessToken());
            for (int i = 0; i < 5; i++) {
                assertThat(http.get("/api/me", authA).status()).isEqualTo(200);
            }
            assertThat(http.get("/api/me", bearer(b.accessToken())).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM usage_logs WHERE tenant_id = ?", Long.class, a.tenantId()) >= 5);
            List<String> ids = app.jdbc().queryForList("SELECT id FROM usage_logs WHERE tenant_id = ? "
                    + "ORDER BY occurred_at, id", String.class, a.tenantId());

            Response ndjson = http.get("/api/usage/export", authA);
            assertThat(ndjson.status()).isEqualTo(200);
            assertThat(ndjson.header("Content-Type")).startsWith("application/x-ndjson");
            List<String> lines = ndjson.raw().lines().toList();
            assertThat(lines.stream().map(UsageExportTest::id).toList())
                    .as("every call of the tenant, oldest first").startsWith(ids.toArray(String[]::new));
            assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"endpoint\":\"/api/me\"")
                    .doesNotContain(b.userId()));

            Response csv = http.get("/api/usage/export?format=csv", authA);
            List<String> rows = csv.raw().lines().toList();
            assertThat(rows.get(0)).isEqualTo("id,occurred_at,endpoint,method,status,duration_ms,bytes,units,"
                    + "user_id,api_key_id,request_id");
            assertThat(rows.get(1)).startsWith(ids.get(0) + ",");

            Response none = http.get("/api/usage/export?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z", authA);
            assertThat(none.status()).isEqualTo(200);
            assertThat(none.raw()).as("nothing in that period").isEmpty();
            Response issued = http.post("/api/api-keys", Map.of("name", "no-usage", "scopes",
                    List.of("lattices:read")), authA);
            assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
            Response byKey = http.get("/api/usage/export", "X-API-Key", issued.text("key"));
            assertThat(byKey.status()).as("a key without usage:read is refused: " + byKey).isEqualTo(403);
            assertThat(http.get("/api/usage/export?format=xml", authA).status()).isEqualTo(422);
            assertThat(http.get("/api/usage/export?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", authA)
                    .status()).isEqualTo(422);
        } finally {
            TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static String id(String ndjsonLine) {
        try {
            return Http.JSON.readTree(ndjsonLine).path("id").asText();
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + ndjsonLine, e);
        }
    }
}
