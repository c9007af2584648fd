package com.catalytic.deploy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.TestApp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Flyway owns every table, Axon's included, and no column is a PostgreSQL large object. */
class EventStoreSchemaTest {

    static String schema = TestApp.newSchema();
    static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start(schema, Map.of());
        Accounts.registerAndLogin(app.http(), "schema");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void noAxonTableHasAnOidColumn() {
        JdbcTemplate jdbc = app.jdbc();
        List<String> tables = jdbc.queryForList(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", String.class, schema);
        assertThat(tables).contains("domain_event_entry", "snapshot_event_entry", "token_entry", "saga_entry",
                "association_value_entry", "dead_letter_entry", "tenants", "users", "unique_claims");
        List<String> oids = jdbc.queryForList("SELECT table_name || '.' || column_name FROM information_schema.columns "
                + "WHERE table_schema = ? AND (data_type = 'oid' OR udt_name IN ('oid', 'lo'))", String.class, schema);
        assertThat(oids).isEmpty();
        assertThat(jdbc.queryForObject("SELECT data_type FROM information_schema.columns WHERE table_schema = ? "
                + "AND table_name = 'domain_event_entry' AND column_name = 'payload'", String.class, schema))
                .isEqualTo("bytea");
        assertThat(jdbc.queryForObject("SELECT data_type FROM information_schema.columns WHERE table_schema = ? "
                + "AND table_name = 'token_entry' AND column_name = 'token'", String.class, schema))
                .isEqualTo("bytea");
    }

    @Test
    void everyEventCarriesTenantAndRequestContextAsMetadata() {
        JdbcTemplate jdbc = app.jdbc();
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT payload_type, meta_data FROM domain_event_entry");
        assertThat(rows).isNotEmpty();
        for (Map<String, Object> row : rows) {
            String meta = new String((byte[]) row.get("meta_data"));
            assertThat(meta).as("%s metadata", row.get("payload_type")).contains("\"tenant_id\"", "\"request_id\"",
                    "\"ip\"", "\"actor_type\"");
        }
        String sessionStart = new String(jdbc.queryForObject("SELECT meta_data FROM domain_event_entry "
                + "WHERE payload_type LIKE '%SessionStartedEvent' LIMIT 1", byte[].class));
        assertThat(sessionStart).contains("\"actor_type\":\"anonymous\"");
    }

    @Test
    void eventsAreStoredAsJsonWithTheirRevisionAndGlobalOrder() {
        JdbcTemplate jdbc = app.jdbc();
        Map<String, Object> row = jdbc.queryForMap("SELECT payload, payload_revision, type FROM domain_event_entry "
                + "WHERE payload_type LIKE '%TenantRegisteredEvent' ORDER BY global_index LIMIT 1");
        assertThat(new String((byte[]) row.get("payload"))).contains("\"slug\"");
        assertThat(row.get("payload_revision")).isEqualTo("1");
        assertThat(row.get("type")).isEqualTo("tenant");
        List<Long> indexes = jdbc.queryForList("SELECT global_index FROM domain_event_entry ORDER BY global_index",
                Long.class);
        assertThat(indexes).doesNotHaveDuplicates().isSorted();
        Integer applied = jdbc.queryForObject("SELECT COUNT(*) FROM flyway_schema_history WHERE success", Integer.class);
        assertThat(applied).isGreaterThanOrEqualTo(4);
    }
}
