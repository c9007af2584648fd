package com.catalytic.deploy.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * {@code catalytic db grant-analytics ROLE}: an analyst holding the role reads the analytical projections and
 * nothing else of the schema (credentials, sessions, the event store, the e-mail queue, Stripe payloads, webhook
 * secrets), and writes nothing.
 */
class AnalyticsRoleTest {

    static final String SCHEMA = TestApp.newSchema();
    static final String ROLE = "analytics_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String ANALYST = ROLE + "_ada";

    @AfterAll
    static void drop() {
        JdbcTemplate admin = TestApp.adminJdbc();
        admin.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        admin.execute("DROP ROLE IF EXISTS " + ANALYST);
        if (!admin.queryForList("SELECT 1 FROM pg_roles WHERE rolname = ?", Integer.class, ROLE).isEmpty()) {
            admin.execute("DROP OWNED BY " + ROLE); // what it was granted in this database
            admin.execute("DROP ROLE " + ROLE);
        }
    }

    @Test
    void theRoleReadsTheAnalyticalProjectionsAndNothingElse() {
        try (TestApp app = TestApp.start(SCHEMA, Map.of())) {
            Accounts.registerAndLogin(app.http(), "analytics"); // rows in the credential tables, to be kept from view
            await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM audit_logs", Long.class) > 0);
        }
        Cli.Result granted = Cli.run(SCHEMA, "db", "grant-analytics", ROLE);
        assertThat(granted.code()).as(granted.out()).isZero();
        assertThat(granted.out()).contains("created role " + ROLE).contains("may read usage_logs, audit_logs");
        Cli.Result again = Cli.run(SCHEMA, "db", "grant-analytics", ROLE);
        assertThat(again.code()).as("idempotent: " + again.out()).isZero();

        JdbcTemplate admin = TestApp.adminJdbc();
        admin.execute("CREATE ROLE " + ANALYST + " LOGIN");
        admin.execute("GRANT " + ROLE + " TO " + ANALYST);
        JdbcTemplate analyst = new JdbcTemplate(new DriverManagerDataSource(TestApp.pgUrl()
                + (TestApp.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA, ANALYST, ""));

        List<String> readable = List.of("usage_logs", "audit_logs", "audit_heads", "subscriptions", "lattices",
                "lattice_operations");
        for (String table : readable) {
            assertThat(analyst.queryForObject("SELECT count(*) FROM " + table, Long.class)).as(table).isNotNull();
        }
        assertThat(analyst.queryForObject("SELECT count(*) FROM audit_logs", Long.class))
                .as("the sign-up is in the audit trail the analyst reads").isPositive();
        List<String> others = admin.queryForList("SELECT table_name FROM information_schema.tables "
                + "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1", String.class, SCHEMA);
        assertThat(others).contains("users", "api_keys", "auth_sessions", "mail_queue", "stripe_events",
                "domain_event_entry", "webhooks", "unique_claims");
        for (String table : others) {
            if (readable.contains(table)) {
                continue;
            }
            assertThatThrownBy(() -> analyst.queryForObject("SELECT count(*) FROM " + table, Long.class))
                    .as(table).rootCause().hasMessageContaining("permission denied");
        }
        assertThatThrownBy(() -> analyst.update("DELETE FROM usage_logs")).as("read-only").rootCause()
                .hasMessageContaining("permission denied");
        assertThatThrownBy(() -> analyst.update("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ('t', 1, 'h')"))
                .as("read-only").rootCause().hasMessageContaining("permission denied");
    }

    @Test
    void aRoleNameThatIsNotAnIdentifierIsRefused() {
        Cli.Result refused = Cli.run(SCHEMA, "db", "grant-analytics", "x; DROP TABLE users");
        assertThat(refused.code()).isEqualTo(2);
    }
}
