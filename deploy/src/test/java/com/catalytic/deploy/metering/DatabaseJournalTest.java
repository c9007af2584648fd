package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code catalytic.metering.journal=database}: no local journal; every group of calls is committed to the event
 * store (and the quota ledger) before the calls are answered.
 */
class DatabaseJournalTest {

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
    void everyCallIsInTheLedgerAndTheEventStoreBeforeItIsAnswered() {
        Account owner = Accounts.registerAndLogin(app.http(), "dbjournal");
        for (int i = 1; i <= 3; i++) {
            assertThat(app.http().get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
            assertThat(app.jdbc().queryForObject("SELECT used FROM quota_ledger WHERE tenant_id = ?", Long.class,
                    owner.tenantId())).as("ledger after call %d", i).isEqualTo(i);
            assertThat(app.jdbc().queryForObject("SELECT COALESCE(SUM(jsonb_array_length(convert_from(payload, "
                    + "'UTF8')::jsonb -> 'records')), 0) FROM domain_event_entry WHERE payload_type LIKE "
                    + "'%UsageRecordedBatchEvent' AND convert_from(payload, 'UTF8') LIKE ?", Long.class,
                    "%" + owner.tenantId() + "%")).as("stored calls after call %d", i).isEqualTo(i);
        }
        assertThat(app.jdbc().queryForList("SELECT node_id FROM usage_shipping", String.class))
                .as("no journal was shipped").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM usage_logs WHERE tenant_id = ?", Long.class, owner.tenantId())).isEqualTo(3));
    }
}
