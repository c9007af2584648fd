package com.catalytic.deploy.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.deploy.config.AxonConfiguration;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.projections.usage.UsageLoad;
import com.catalytic.projections.usage.UsageProjection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A metered call delivered again (a retried processor batch, live processors catching up after a rebuild swapped
 * the table in) never becomes a second {@code usage_logs} row: on PostgreSQL, also with batches sent as multi-row
 * statements (as the rebuild sends them), and on the embedded H2 default; nor counts twice in the hourly roll-up.
 */
class UsageRedeliveryTest {

    private static final Instant HOUR = Instant.parse("2026-11-30T23:00:00Z");
    /** The event store's serializer, as the application configures it. */
    private static final Serializer SERIALIZER = JacksonSerializer.builder().objectMapper(AxonConfiguration.eventMapper())
            .revisionResolver(new AnnotationRevisionResolver()).build();

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "postgresql-rewritten", "h2"})
    void aRedeliveredCallStaysOneRow(String database) throws Exception {
        String schema = TestApp.newSchema();
        DriverManagerDataSource ds = dataSource(database, schema);
        boolean h2 = database.equals("h2");
        migrate(ds, h2, schema, null);
        try {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            AnnotationEventHandlerAdapter usage = new AnnotationEventHandlerAdapter(
                    new UsageProjection(jdbc, new SimpleMeterRegistry(), Clock.systemUTC()));
            EventMessage<?> call = call();
            EventMessage<?> other = call();

            usage.handle(call); // outside a unit of work: written at once
            usage.handle(call);
            assertThat(rows(jdbc)).containsExactly(((UsageRecordedEvent) call.getPayload()).usageId());

            // one batch holding the same call twice, one already stored and a new one: one JDBC batch at commit
            DefaultUnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
            for (EventMessage<?> e : List.of(call, other, other, call)) {
                usage.handle(e);
            }
            uow.commit();
            assertThat(rows(jdbc)).containsExactlyInAnyOrder(((UsageRecordedEvent) call.getPayload()).usageId(),
                    ((UsageRecordedEvent) other.getPayload()).usageId());
            assertThat(jdbc.queryForObject("SELECT request_id FROM usage_logs WHERE id = ?", String.class,
                    ((UsageRecordedEvent) other.getPayload()).usageId())).isEqualTo(other.getMetaData().get("request_id"));

            // the hourly roll-up counts each call once too; an error and another hour are kept apart
            EventMessage<?> failed = call(HOUR.plusSeconds(600), 503, 4);
            EventMessage<?> nextHour = call(HOUR.plusSeconds(3600), 200, 2);
            uow = DefaultUnitOfWork.startAndGet(null);
            for (EventMessage<?> e : List.of(failed, nextHour, call, failed)) {
                usage.handle(e);
            }
            uow.commit();
            usage.handle(nextHour);
            assertThat(rows(jdbc)).hasSize(4);
            assertThat(rollups(jdbc)).containsExactly(
                            HOUR + " /api/me GET 3 6 1",
                            HOUR.plusSeconds(3600) + " /api/me GET 1 2 0");
        } finally {
            drop(ds, h2, schema);
        }
    }

    /**
     * A rebuild's load in the database (the calls inserted without the key, roll-ups at the end) leaves the tables as
     * live writes would: a call stored twice in different events is one row and counted once, a call of the legacy
     * form keeps its request id, events past the last position or the instant are left out; afterwards the
     * projection's live writes go on in the tables.
     */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "postgresql-rewritten"})
    void aStoreLoadKeepsOneRowPerCallAndCountsItOnce(String database) throws Exception {
        String schema = TestApp.newSchema();
        DriverManagerDataSource ds = dataSource(database, schema);
        migrate(ds, false, schema, null);
        Flyway.configure().dataSource(ds).schemas(schema).locations("classpath:db/migration/eventstore").target("1")
                .table("eventstore_history").baselineOnMigrate(true).baselineVersion("0").load().migrate();
        try {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            EventMessage<?> call = call();
            EventMessage<?> failed = call(HOUR.plusSeconds(600), 503, 4);
            EventMessage<?> nextHour = call(HOUR.plusSeconds(3600), 200, 2);
            EventMessage<?> stampedLater = call(HOUR.plusSeconds(7200), 200, 9);
            EventMessage<?> storedLater = call(HOUR.plusSeconds(7300), 200, 8);
            long first = store(jdbc, call, "2026-12-01T00:00:00.000Z");
            store(jdbc, failed, "2026-12-01T00:00:01.000Z");
            store(jdbc, call, "2026-12-01T00:00:02.000Z");
            store(jdbc, nextHour, "2026-12-01T00:00:03.000Z");
            // after the instant though before the last position (time stamps need not follow positions)
            store(jdbc, stampedLater, "2026-12-01T00:00:09.000Z");
            long last = store(jdbc, storedLater, "2026-12-01T00:00:04.000Z") - 1;
            assertThat(last).isEqualTo(first + 4);

            long rows;
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                rows = new UsageLoad().load(c, SERIALIZER::typeForClass, last, "2026-12-01T00:00:04.500Z");
                c.commit();
            }
            assertThat(rows).isEqualTo(3);
            assertThat(rows(jdbc)).containsExactlyInAnyOrder(((UsageRecordedEvent) call.getPayload()).usageId(),
                    ((UsageRecordedEvent) failed.getPayload()).usageId(),
                    ((UsageRecordedEvent) nextHour.getPayload()).usageId());
            assertThat(jdbc.queryForObject("SELECT request_id FROM usage_logs WHERE id = ?", String.class,
                    ((UsageRecordedEvent) call.getPayload()).usageId())).isEqualTo(call.getMetaData().get("request_id"));
            assertThat(rollups(jdbc)).containsExactly(
                    HOUR + " /api/me GET 2 5 1",
                    HOUR.plusSeconds(3600) + " /api/me GET 1 2 0");

            // live writes go on in the loaded tables (key and roll-ups in place): a redelivery changes nothing, a new
            // call is stored and counted
            AnnotationEventHandlerAdapter usage = new AnnotationEventHandlerAdapter(
                    new UsageProjection(jdbc, new SimpleMeterRegistry(), Clock.systemUTC()));
            usage.handle(call);
            usage.handle(call(HOUR.plusSeconds(3700), 200, 3));
            assertThat(rows(jdbc)).hasSize(4);
            assertThat(rollups(jdbc)).containsExactly(
                    HOUR + " /api/me GET 2 5 1",
                    HOUR.plusSeconds(3600) + " /api/me GET 2 5 0");
        } finally {
            drop(ds, false, schema);
        }
    }

    /** Appends the event as Axon's JDBC engine stores it, with this time stamp; returns its position. */
    private static long store(JdbcTemplate jdbc, EventMessage<?> e, String timeStamp) {
        SerializedObject<byte[]> payload = SERIALIZER.serialize(e.getPayload(), byte[].class);
        SerializedObject<byte[]> metaData = SERIALIZER.serialize(e.getMetaData(), byte[].class);
        String id = UUID.randomUUID().toString();
        return jdbc.queryForObject("INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, "
                + "sequence_number, type, time_stamp, payload_type, payload_revision, payload, meta_data) VALUES "
                + "(?, ?, 0, NULL, ?, ?, ?, ?, ?) RETURNING global_index", Long.class, id, id, timeStamp,
                payload.getType().getName(), payload.getType().getRevision(), payload.getData(), metaData.getData());
    }

    /** Calls stored before the roll-up existed are added up by the migration that creates it. */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void theMigrationRollsUpTheCallsStoredBefore(String database) throws Exception {
        String schema = TestApp.newSchema();
        DriverManagerDataSource ds = dataSource(database, schema);
        boolean h2 = database.equals("h2");
        migrate(ds, h2, schema, "18"); // the last projection migration before the roll-up
        try {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            int i = 0;
            for (Instant at : List.of(HOUR, HOUR.plusSeconds(3599), HOUR.plusSeconds(3600), HOUR.minusMillis(1))) {
                i++;
                assertThat(jdbc.update("INSERT INTO usage_logs (id, tenant_id, endpoint, method, status, duration_ms, "
                        + "bytes, units, occurred_at) VALUES (?, 'tenant-1', '/api/me', 'GET', ?, 1, 1, ?, ?)", "u" + i,
                        i == 2 ? 500 : 200, i, Timestamp.from(at))).isEqualTo(1);
            }
            migrate(ds, h2, schema, null);
            assertThat(rollups(jdbc)).containsExactly(
                    HOUR.minusSeconds(3600) + " /api/me GET 1 4 0",
                    HOUR + " /api/me GET 2 3 1",
                    HOUR.plusSeconds(3600) + " /api/me GET 1 3 0");
        } finally {
            drop(ds, h2, schema);
        }
    }

    private static DriverManagerDataSource dataSource(String database, String schema) {
        return switch (database) {
            case "h2" -> new DriverManagerDataSource("jdbc:h2:mem:" + schema
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
            default -> new DriverManagerDataSource(TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?")
                    + "currentSchema=" + schema + (database.endsWith("rewritten") ? "&reWriteBatchedInserts=true" : ""),
                    TestApp.pgUser(), "");
        };
    }

    /** The projection tables, up to {@code target} (null: all migrations). */
    private static void migrate(DriverManagerDataSource ds, boolean h2, String schema, String target) {
        var flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration/projections");
        if (target != null) {
            flyway.target(target);
        }
        (h2 ? flyway : flyway.schemas(schema).createSchemas(true)).load().migrate();
    }

    private static void drop(DriverManagerDataSource ds, boolean h2, String schema) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(h2 ? "SHUTDOWN" : "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    /** Tenant 1's hours: start, endpoint, method, calls, units, errors. */
    private static List<String> rollups(JdbcTemplate jdbc) {
        return jdbc.query("SELECT hour_start, endpoint, method, calls, units, errors FROM usage_rollups "
                + "WHERE tenant_id = 'tenant-1' ORDER BY hour_start", (r, i) -> r.getTimestamp("hour_start")
                .toInstant() + " " + r.getString("endpoint") + " " + r.getString("method") + " " + r.getLong("calls")
                + " " + r.getLong("units") + " " + r.getLong("errors"));
    }

    private static List<String> rows(JdbcTemplate jdbc) {
        return jdbc.queryForList("SELECT id FROM usage_logs", String.class);
    }

    private static EventMessage<?> call() {
        return call(HOUR.plusSeconds(1800).plusMillis(7), 200, 1);
    }

    private static EventMessage<?> call(Instant at, int status, long units) {
        UsageRecordedEvent e = new UsageRecordedEvent(UUID.randomUUID().toString(), "tenant-1", "user-1", null,
                "/api/me", "GET", status, 3, 120, units, at);
        return GenericEventMessage.asEventMessage(e).andMetaData(MetaData.from(Map.of("tenant_id", "tenant-1",
                "request_id", "req-" + e.usageId())));
    }
}
