package com.catalytic.deploy.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.deploy.config.RuntimeEnvironment;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.TestApp;
import java.nio.charset.StandardCharsets;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A rebuild that fails leaves everything as it was: the live tables untouched and no schema of its own behind (here
 * the database load fails on a stored usage event that is not JSON: a store damaged by hand); one that succeeds
 * leaves no schema behind either.
 */
class FailedRebuildTest {

    /** The schemas rebuilds make: the new tables, then the replaced ones (dropped at the end unless kept). */
    private static final String REBUILD_SCHEMAS = "SELECT COUNT(*) FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%' "
            + "OR nspname LIKE 'old\\_%'";

    @Test
    void aFailedRebuildLeavesTheLiveTablesAndNoSchemaBehind() {
        String schema = TestApp.newSchema();
        JdbcTemplate admin = TestApp.adminJdbc();
        Flyway.configure().dataSource(TestApp.pgUrl(), TestApp.pgUser(), "").schemas(schema).createSchemas(true)
                .locations(RuntimeEnvironment.MIGRATION_LOCATIONS.split(",")).load().migrate();
        try {
            assertThat(admin.update("INSERT INTO " + schema + ".tenants (id, name, slug, plan, status, created_at, "
                    + "updated_at) VALUES ('t-1', 'Kept', 'kept', 'free', 'active', now(), now())")).isEqualTo(1);
            // at the revision the store records for usage batches now: loaded in the database, not replayed
            long damaged = admin.queryForObject("INSERT INTO " + schema + ".domain_event_entry (event_identifier, "
                    + "aggregate_identifier, sequence_number, type, time_stamp, payload_type, payload_revision, "
                    + "payload) VALUES ('e-1', 'e-1', 0, NULL, '2026-12-01T00:00:00.000Z', ?, ?, ?) "
                    + "RETURNING global_index", Long.class, UsageRecordedBatchEvent.class.getName(),
                    new AnnotationRevisionResolver().revisionOf(UsageRecordedBatchEvent.class),
                    "{not json".getBytes(StandardCharsets.UTF_8));
            long schemasBefore = admin.queryForObject(REBUILD_SCHEMAS, Long.class);

            Cli.Result failed = Cli.run(schema, "projections", "rebuild", "--no-progress");
            assertThat(failed.code()).as(failed.out()).isNotZero();
            assertThat(admin.queryForObject(REBUILD_SCHEMAS, Long.class)).as("rebuild schemas left")
                    .isEqualTo(schemasBefore);
            assertThat(admin.queryForList("SELECT name FROM " + schema + ".tenants", String.class))
                    .as("the live table, untouched").containsExactly("Kept");

            // the positive control: without the damaged event the same rebuild succeeds (and empties the tenants,
            // which no event created)
            assertThat(admin.update("DELETE FROM " + schema + ".domain_event_entry WHERE global_index = ?", damaged))
                    .isEqualTo(1);
            Cli.Result rebuilt = Cli.run(schema, "projections", "rebuild", "--no-progress");
            assertThat(rebuilt.code()).as(rebuilt.out()).isZero();
            assertThat(rebuilt.out()).contains("Swapped in");
            assertThat(admin.queryForObject("SELECT COUNT(*) FROM " + schema + ".tenants", Long.class)).isZero();
            assertThat(admin.queryForObject(REBUILD_SCHEMAS, Long.class)).isEqualTo(schemasBefore);
        } finally {
            admin.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
