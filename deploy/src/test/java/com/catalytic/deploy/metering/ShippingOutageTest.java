package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.metering.UsageShipper;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * While the event store does not take shipments, metered calls are still answered (they are durable in the node's
 * journal) and are shipped, each exactly once, as soon as it does again.
 */
class ShippingOutageTest {

    static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void callsAreAnsweredDuringAShippingOutageAndShippedOnceAfterIt() {
        Account owner = Accounts.registerAndLogin(app.http(), "outage");
        UsageShipper journal = app.bean(UsageShipper.class);
        // every shipment writes the ledger in its transaction: without the table, shipping fails and is retried
        app.jdbc().execute("ALTER TABLE quota_ledger RENAME TO quota_ledger_away");
        Set<String> answered = new HashSet<>();
        try {
            for (int i = 0; i < 20; i++) {
                var r = app.http().get("/api/me", bearer(owner.accessToken()));
                assertThat(r.status()).as("call %d during the outage", i + 1).isEqualTo(200);
                answered.add(r.header("X-Request-ID"));
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(journal.backlog()).isEqualTo(20));
            assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM usage_logs WHERE tenant_id = ?", Long.class,
                    owner.tenantId())).isZero();
        } finally {
            app.jdbc().execute("ALTER TABLE quota_ledger_away RENAME TO quota_ledger");
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(journal.backlog()).isZero();
            List<String> rows = app.jdbc().queryForList("SELECT request_id FROM usage_logs WHERE tenant_id = ?",
                    String.class, owner.tenantId());
            assertThat(rows).hasSize(20);
            assertThat(new HashSet<>(rows)).isEqualTo(answered);
        });
        assertThat(app.jdbc().queryForObject("SELECT used FROM quota_ledger WHERE tenant_id = ?", Long.class,
                owner.tenantId())).isEqualTo(20);
    }

    @Test
    void aLongOutageHoldsAtMostTheBoundInMemoryAndARestartShipsTheRestInChunks() throws Exception {
        String schema = TestApp.newSchema();
        Map<String, String> settings = Map.of("catalytic.metering.max-in-memory", "5",
                "catalytic.metering.max-shipment", "7",
                "catalytic.metering.journal-dir", Files.createTempDirectory("catalytic-journal-").toString());
        TestApp first = TestApp.start(schema, settings);
        Account owner = Accounts.registerAndLogin(first.http(), "long-outage");
        first.jdbc().execute("ALTER TABLE quota_ledger RENAME TO quota_ledger_away");
        Set<String> answered = new HashSet<>();
        TestApp second = null;
        try {
            for (int i = 0; i < 30; i++) {
                var r = first.http().get("/api/me", bearer(owner.accessToken()));
                assertThat(r.status()).as("call %d during the outage", i + 1).isEqualTo(200);
                answered.add(r.header("X-Request-ID"));
            }
            UsageShipper shipper = first.bean(UsageShipper.class);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(shipper.backlog()).isEqualTo(30));
            assertThat(shipper.inMemory()).as("held in memory of 30 unshipped").isEqualTo(5);
            first.close();

            // a restart during the outage: the earlier run's calls are counted, none is held
            second = TestApp.start(schema, settings);
            UsageShipper restarted = second.bean(UsageShipper.class);
            assertThat(restarted.backlog()).isEqualTo(30);
            assertThat(restarted.inMemory()).isZero();
        } finally {
            (second != null ? second : first).jdbc().execute("ALTER TABLE quota_ledger_away RENAME TO quota_ledger");
            if (second == null) {
                first.close(); // the test failed before the restart
            }
        }
        TestApp app = second;
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(app.bean(UsageShipper.class).backlog()).isZero();
                List<String> rows = app.jdbc().queryForList("SELECT request_id FROM usage_logs WHERE tenant_id = ?",
                        String.class, owner.tenantId());
                assertThat(rows).hasSize(30);
                assertThat(new HashSet<>(rows)).isEqualTo(answered);
            });
            assertThat(app.jdbc().queryForObject("SELECT used FROM quota_ledger WHERE tenant_id = ?", Long.class,
                    owner.tenantId())).isEqualTo(30);
            // shipped a chunk of at most max-shipment calls per transaction, in one event each (one tenant)
            List<Integer> sizes = app.jdbc().queryForList("SELECT jsonb_array_length(convert_from(payload, 'UTF8')"
                    + "::jsonb -> 'records') FROM domain_event_entry WHERE payload_type LIKE "
                    + "'%UsageRecordedBatchEvent' ORDER BY global_index", Integer.class);
            assertThat(sizes).hasSizeGreaterThanOrEqualTo(5).allMatch(n -> n <= 7);
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
        } finally {
            app.close();
        }
    }
}
