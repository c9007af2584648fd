package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One shipment holding calls admitted under two plans (the tenant reached its quota, then upgraded to an unlimited
 * plan while the calls were still gathered for shipping): the calls that crossed 80 % and 100 % of the first plan's
 * quota still announce it. Each call is judged against the quota it was admitted under, not the last one shipped.
 */
class ThresholdAcrossPlanChangeTest {

    static TestApp app;

    @BeforeAll
    static void start() {
        // a long linger, so that every call of the test is shipped in one transaction (asserted below)
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.plans.starter.api-calls-per-month", "10",
                "catalytic.metering.ship-linger", "8s", "catalytic.metering.ship-linger-busy", "8s"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void thresholdsCrossedBeforeAnUpgradeInTheSameShipmentAreAnnounced() {
        Account owner = Accounts.registerAndLogin(app.http(), "upgrade");
        String[] auth = bearer(owner.accessToken());
        Accounts.changePlan(app, owner.tenantId(), "starter");
        for (int i = 0; i < 10; i++) {
            assertThat(app.http().get("/api/me", auth).status()).as("call %d", i + 1).isEqualTo(200);
        }
        assertThat(app.http().get("/api/me", auth).status()).as("past the quota").isEqualTo(429);
        Accounts.changePlan(app, owner.tenantId(), "professional"); // unlimited in the test settings
        for (int i = 0; i < 3; i++) {
            assertThat(app.http().get("/api/me", auth).status()).as("after the upgrade").isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COALESCE(SUM(used), 0) FROM quota_ledger WHERE tenant_id = ?", Long.class, owner.tenantId()))
                .isEqualTo(13));
        List<String> batches = payloads("UsageRecordedBatchEvent", owner.tenantId());
        assertThat(batches).as("all 13 calls in one shipment").hasSize(1);

        List<String> thresholds = payloads("UsageThresholdReachedEvent", owner.tenantId());
        assertThat(thresholds).hasSize(2);
        assertThat(thresholds.get(0)).contains("\"thresholdPercent\":80");
        assertThat(thresholds.get(1)).contains("\"thresholdPercent\":100", "\"used\":10,");
    }

    private static List<String> payloads(String type, String tenantId) {
        return app.jdbc().queryForList("SELECT payload FROM domain_event_entry WHERE payload_type LIKE ? "
                        + "ORDER BY global_index", byte[].class, "%" + type).stream().map(String::new)
                .filter(p -> p.contains(tenantId)).toList();
    }
}
