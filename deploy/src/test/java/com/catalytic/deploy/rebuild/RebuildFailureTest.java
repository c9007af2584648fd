package com.catalytic.deploy.rebuild;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rebuild that fails part-way (here: a stored usage event the load in the database cannot read) stops with an
 * error and leaves the live tables as they were: the projections replayed on their own threads all stop, nothing is
 * swapped in, and its own schema is dropped. One that succeeds leaves no schema behind either.
 */
class RebuildFailureTest {

    static String schema = TestApp.newSchema();
    static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start(schema, Map.of());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aFailingRebuildLeavesTheLiveTablesAlone() {
        Account owner = Accounts.registerAndLogin(app.http(), "fails");
        for (int i = 0; i < 5; i++) {
            app.http().get("/api/me", bearer(owner.accessToken()));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM usage_logs WHERE tenant_id = ?", Long.class, owner.tenantId())).isEqualTo(5));
        Projections.awaitCaughtUp(app);
        long usage = count("usage_logs");
        long audit = count("audit_logs");
        List<Map<String, Object>> tenants = app.jdbc().queryForList("SELECT * FROM tenants ORDER BY id");
        // the last usage event's payload becomes unreadable (already projected live): the load in the database fails
        Damaged damaged = damageTheLastUsageEvent();

        List<String> schemasBefore = rebuildSchemas();
        Cli.Result r = Cli.run(schema, "projections", "rebuild", "--no-progress");

        assertThat(r.code()).as(r.out()).isNotZero();
        assertThat(r.out()).doesNotContain("Swapped in");
        assertThat(count("usage_logs")).isEqualTo(usage);
        assertThat(count("audit_logs")).isEqualTo(audit);
        assertThat(app.jdbc().queryForList("SELECT * FROM tenants ORDER BY id")).isEqualTo(tenants);
        assertThat(app.jdbc().queryForObject("SELECT current_schema()", String.class)).isEqualTo(schema);
        // no swap happened, and the half-built schema is gone (docs/OPERATIONS.md)
        String target = r.out().replaceAll("(?s).* into (rebuild_[0-9_]+).*", "$1");
        assertThat(target).startsWith("rebuild_");
        assertThat(rebuildSchemas()).as("schemas left by the failed rebuild").isEqualTo(schemasBefore)
                .doesNotContain(target);

        // the positive control: the same rebuild with the event readable again succeeds, and leaves no schema either
        // (the replaced tables' old_<time> and the emptied rebuild_<time> are dropped)
        damaged.repair();
        Cli.Result rebuilt = Cli.run(schema, "projections", "rebuild", "--no-progress");
        assertThat(rebuilt.code()).as(rebuilt.out()).isZero();
        assertThat(rebuilt.out()).contains("Swapped in");
        assertThat(count("usage_logs")).isEqualTo(usage);
        assertThat(rebuildSchemas()).as("schemas left by the rebuild").isEqualTo(schemasBefore);
    }

    /**
     * A rebuild of projections that do not handle metered calls, which passes the usage events by (that it does not
     * read them is {@code ReplayPassedByTest}'s), still applies every event of its own: its tables come back as they
     * were, whatever the usage events hold; a rebuild of the usage projection reads them, and fails on a damaged one.
     */
    @Test
    void aRebuildOfOtherProjectionsPassesTheUsageEventsByAndKeepsItsOwn() {
        Account owner = Accounts.registerAndLogin(app.http(), "passes");
        app.http().get("/api/me", bearer(owner.accessToken()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM usage_logs WHERE tenant_id = ?", Long.class, owner.tenantId())).isEqualTo(1));
        Projections.awaitCaughtUp(app);
        long audit = count("audit_logs");
        List<Map<String, Object>> tenants = app.jdbc().queryForList("SELECT * FROM tenants ORDER BY id");
        List<Map<String, Object>> sessions = app.jdbc().queryForList("SELECT * FROM auth_sessions ORDER BY id");
        assertThat(sessions).isNotEmpty();
        Damaged damaged = damageTheLastUsageEvent();
        try {
            Cli.Result others = Cli.run(schema, "projections", "rebuild", "accounts", "sessions", "audit",
                    "--no-progress");
            assertThat(others.code()).as(others.out()).isZero();
            assertThat(others.out()).contains("Swapped in");
            assertThat(app.jdbc().queryForList("SELECT * FROM tenants ORDER BY id")).isEqualTo(tenants);
            assertThat(app.jdbc().queryForList("SELECT * FROM auth_sessions ORDER BY id")).isEqualTo(sessions);
            assertThat(count("audit_logs")).isEqualTo(audit);

            // the positive control: the projection that handles the event does read it, and fails
            Cli.Result usage = Cli.run(schema, "projections", "rebuild", "usage", "--no-progress");
            assertThat(usage.code()).as(usage.out()).isNotZero();
            assertThat(usage.out()).doesNotContain("Swapped in");
        } finally {
            damaged.repair();
        }
    }

    /** A stored event whose payload was made unreadable, and the payload it had. */
    private record Damaged(long position, byte[] payload) {
        void repair() {
            assertThat(app.jdbc().update("UPDATE domain_event_entry SET payload = ? WHERE global_index = ?", payload,
                    position)).isEqualTo(1);
        }
    }

    private static Damaged damageTheLastUsageEvent() {
        long position = app.jdbc().queryForObject("SELECT MAX(global_index) FROM domain_event_entry "
                + "WHERE payload_type LIKE '%UsageRecordedBatchEvent'", Long.class);
        byte[] payload = app.jdbc().queryForObject("SELECT payload FROM domain_event_entry WHERE global_index = ?",
                byte[].class, position);
        assertThat(app.jdbc().update("UPDATE domain_event_entry SET payload = convert_to('{not json', 'UTF8') "
                + "WHERE global_index = ?", position)).isEqualTo(1);
        return new Damaged(position, payload);
    }

    /** The schemas rebuilds make: the new tables, then the replaced ones (dropped at the end unless kept). */
    private static List<String> rebuildSchemas() {
        return app.jdbc().queryForList("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'old\\_%' "
                + "OR nspname LIKE 'rebuild\\_%' ORDER BY 1", String.class);
    }

    private static long count(String table) {
        return app.jdbc().queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
    }
}
