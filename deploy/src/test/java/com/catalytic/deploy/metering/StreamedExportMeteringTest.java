package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A streamed export is recorded like every other call, before its first byte: when its usage cannot be recorded it
 * is answered 503 {@code usage_unavailable} with none of the export sent. The journal is the database one
 * ({@code catalytic.metering.journal=database}, every call committed to the event store and the quota ledger before
 * it is answered), made to fail by taking the ledger away.
 */
class StreamedExportMeteringTest {

    static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.metering.journal", "database"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void anExportWhoseUsageCannotBeRecordedIsRefusedBeforeAnyOfItIsSent() {
        Account owner = Accounts.registerAndLogin(app.http(), "export-metering");
        String[] auth = bearer(owner.accessToken());
        await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ?", Long.class, owner.tenantId()) > 0);

        // a working journal: the export is answered, and the call is in the usage records
        Response recorded = app.http().get("/api/audit-logs/export?format=ndjson", auth);
        assertThat(recorded.status()).as(recorded.toString()).isEqualTo(200);
        assertThat(recorded.raw()).contains("\"seq\":1");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForList(
                "SELECT endpoint FROM usage_logs WHERE tenant_id = ? AND request_id = ?", String.class,
                owner.tenantId(), recorded.header("X-Request-ID"))).containsExactly("/api/audit-logs/export"));

        app.jdbc().execute("ALTER TABLE quota_ledger RENAME TO quota_ledger_away");
        try {
            Response plain = app.http().get("/api/me", auth);
            assertThat(plain.status()).as("an ordinary call while recording fails: %s", plain).isEqualTo(503);
            assertThat(plain.text("code")).isEqualTo("usage_unavailable");

            for (String format : new String[] {"ndjson", "csv"}) {
                Response refused = app.http().get("/api/audit-logs/export?format=" + format, auth);
                assertThat(refused.status()).as("%s: %s", format, refused).isEqualTo(503);
                assertThat(refused.text("code")).isEqualTo("usage_unavailable");
                assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
                assertThat(refused.header("Content-Disposition")).isNull();
                assertThat(refused.header("X-Request-ID")).isNotBlank();
                assertThat(refused.header("X-RateLimit-Limit")).isNotBlank();
                assertThat(refused.raw()).as("none of the export").doesNotContain("\"seq\"", "prev_hash");
            }
        } finally {
            app.jdbc().execute("ALTER TABLE quota_ledger_away RENAME TO quota_ledger");
        }
        Response again = app.http().get("/api/audit-logs/export?format=csv", auth);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.raw()).startsWith("id,seq,");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForList(
                "SELECT status FROM usage_logs WHERE tenant_id = ? AND request_id = ?", Integer.class,
                owner.tenantId(), again.header("X-Request-ID"))).containsExactly(200));
    }
}
