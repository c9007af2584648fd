package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.metering.UsageShipper;
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
}
