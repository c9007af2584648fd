package com.catalytic.deploy.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.deploy.config.AxonConfiguration;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.projections.StoredPayloads;
import com.catalytic.projections.usage.UsageLoad;
import com.catalytic.projections.usage.UsageProjection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.json.JacksonSerializer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A metered call delivered again (a retried processor batch, live processors catching up after a rebuild swapped
 * the table in) never becomes a second {@code usage_logs} row: on PostgreSQL, also with batches sent as multi-row
 * statements (as the rebuild sends them), and on the embedded H2 default; nor counts twice in the hourly roll-up.
 */
class UsageRedeliveryTest {

    private static final Instant HOUR = Instant.parse("2026-11-30T23:00:00Z");
    /** The event store's serializer, as the application configures it. */
    private static final JacksonSerializer SERIALIZER = JacksonSerializer.builder()
            .objectMapper(AxonConfiguration.eventMapper())
            .revisionResolver(new AnnotationRevisionResolver()).build();

    /**
     * In a transaction, as the processors write, calls are copied in and a stored one sends the batch back to the
     * statement that skips it; without one, that statement writes every batch.
     */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "postgresql-transaction", "postgresql-rewritten", "h2"})
    void aRedeliveredCallStaysOneRow(String database) throws Exception {
        String schema = TestApp.newSchema();
        DriverManagerDataSource ds = dataSource(database, schema);
        boolean h2 = database.equals("h2");
        migrate(ds, h2, schema, null);
        SingleConnectionDataSource tx = database.endsWith("transaction") ? inTransaction(ds) : null;
        try {
            JdbcTemplate jdbc = new JdbcTemplate(tx != null ? tx : ds);
            AnnotationEventHandlerAdapter usage = new AnnotationEventHandlerAdapter(
                    new UsageProjection(jdbc, new SimpleMeterRegistry(), Clock.systemUTC()));
            EventMessage<?> call = call();
            EventMessage<?> other = call();

            usage.handle(call); // outside a unit of work: written at once
            commit(tx);
            usage.handle(call);
            commit(tx);
            assertThat(rows(jdbc)).containsExactly(((UsageRecordedEvent) call.getPayload()).usageId());

            // one batch holding the same call twice, one already stored and a new one: one JDBC batch at commit
            DefaultUnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
            for (EventMessage<?> e : List.of(call, other, other, call)) {
                usage.handle(e);
            }
            uow.commit();
            commit(tx);
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
            commit(tx);
            usage.handle(nextHour);
            commit(tx);
            // new calls only: copied in, and counted by the hours worked out beside the copy
            EventMessage<?> lastInHour = call(HOUR.plusNanos(3_599_999_999_000L), 500, 5);
            EventMessage<?> roundedUp = call(HOUR.plusNanos(3_599_999_999_600L), 200, 7);
            uow = DefaultUnitOfWork.startAndGet(null);
            usage.handle(lastInHour);
            usage.handle(roundedUp);
            uow.commit();
            commit(tx);
            assertThat(rows(new JdbcTemplate(ds))).hasSize(6);
            assertThat(rollups(new JdbcTemplate(ds))).containsExactly(
                            HOUR + " /api/me GET 4 11 2",
                            HOUR.plusSeconds(3600) + " /api/me GET 2 9 0");
        } finally {
            if (tx != null) {
                tx.destroy();
            }
            drop(ds, h2, schema);
        }
    }

    /**
     * A batch larger than a copy's buffer whose first call is stored already: the copy fails while calls are still
     * being sent, the batch goes to the statement that skips the stored call, and the next chunk is copied in.
     */
    @Test
    void aLargeBatchStartingWithAStoredCallIsWrittenOnce() throws Exception {
        String schema = TestApp.newSchema();
        DriverManagerDataSource ds = dataSource("postgresql", schema);
        migrate(ds, false, schema, null);
        SingleConnectionDataSource tx = inTransaction(ds);
        try {
            AnnotationEventHandlerAdapter usage = new AnnotationEventHandlerAdapter(
                    new UsageProjection(new JdbcTemplate(tx), new SimpleMeterRegistry(), Clock.systemUTC()));
            EventMessage<?> stored = call();
            usage.handle(stored);
            commit(tx);
            DefaultUnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
            usage.handle(stored);
            for (int i = 0; i < 1_500; i++) {
                usage.handle(call(HOUR.plusSeconds(i), 200, 1));
            }
            uow.commit();
            commit(tx);
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM usage_logs", Long.class)).isEqualTo(1_501);
            assertThat(rollups(jdbc)).containsExactly(HOUR + " /api/me GET 1501 1501 0");
        } finally {
            tx.destroy();
            drop(ds, false, schema);
        }
    }

    /** One connection of the data source in a transaction, as a processor's batch writes. */
    private static SingleConnectionDataSource inTransaction(DriverManagerDataSource ds) throws Exception {
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        return new SingleConnectionDataSource(c, true);
    }

    private static void commit(SingleConnectionDataSource tx) throws Exception {
        if (tx != null) {
            tx.getConnection().commit();
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
                rows = new UsageLoad().load(c, new StoredPayloads(SERIALIZER), last, "2026-12-01T00:00:04.500Z");
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

    /**
     * A rebuild's load writes exactly the rows the handler writes from the same stored events: batches in the form the
     * serializer writes them (which the load reads itself) and in forms it leaves to the serializer's mapper (an
     * escape, a number as text, an instant as a number, an endpoint the handler cuts), instants with every length of
     * fraction (a sub-microsecond one rounded as the server rounds text), text beyond ASCII, and the form before
     * batching with its request id in the metadata.
     */
    @Test
    void aStoreLoadWritesTheRowsTheHandlerWrites() throws Exception {
        String loaded = TestApp.newSchema();
        String live = TestApp.newSchema();
        DriverManagerDataSource loadedDs = dataSource("postgresql", loaded);
        DriverManagerDataSource liveDs = dataSource("postgresql", live);
        migrate(loadedDs, false, loaded, null);
        migrate(liveDs, false, live, null);
        Flyway.configure().dataSource(loadedDs).schemas(loaded).locations("classpath:db/migration/eventstore")
                .target("1").table("eventstore_history").baselineOnMigrate(true).baselineVersion("0").load().migrate();
        try {
            JdbcTemplate store = new JdbcTemplate(loadedDs);
            String record = "{\"usageId\":\"%s\",\"userId\":\"user-1\",\"apiKeyId\":null,\"endpoint\":\"%s\","
                    + "\"method\":\"GET\",\"status\":%s,\"durationMs\":3,\"bytes\":120,\"units\":%s,"
                    + "\"occurredAt\":%s,\"requestId\":\"req-%1$s\",\"ip\":\"203.0.113.7\"}";
            String batch = "{\"tenantId\":\"tenant-1\",\"records\":[%s]}";
            UsageRecordedBatchEvent serialized = new UsageRecordedBatchEvent("tenant-1", List.of(
                    new UsageRecord("s1", "user-1", null, "/api/me", "GET", 200, 3, 120, 1, HOUR, null, null),
                    new UsageRecord("s2", null, "key-1", "/api/usage", "POST", 503, 9, 0, 0,
                            HOUR.plusMillis(1_234), "req-s2", "203.0.113.7"),
                    new UsageRecord("s3", "user-1", "key-1", "/api/café/€", "GET", 200, 1, 5, 2,
                            HOUR.plusNanos(3_600_000_123_456L), "req-s3", null),
                    new UsageRecord("s4", "user-1", null, "/api/me", "GET", 404, 1, 5, 0,
                            Instant.parse("2026-12-01T00:34:30.520798500Z"), "req-s4", null)));
            List<Long> positions = new ArrayList<>();
            positions.add(store(store, GenericEventMessage.asEventMessage(serialized), "2026-12-01T00:00:00.000Z"));
            positions.add(storeRaw(store, batch.formatted(String.join(",",
                    record.formatted("p1", "/api/me", "200", "1", "\"2026-11-30T23:59:59.999999999Z\""),
                    record.formatted("p2", "/" + "a".repeat(199), "201", "0", "\"2026-11-30T23:10:00.5Z\"")))));
            // forms the load leaves to the mapper: an escape, a number as text, an instant as a number, an endpoint
            // the handler cuts to 200 characters
            positions.add(storeRaw(store, batch.formatted(
                    record.formatted("m1", "/api/m\\u00e9", "200", "1", "\"2026-11-30T23:20:00Z\""))));
            positions.add(storeRaw(store, batch.formatted(
                    record.formatted("m2", "/api/me", "\"200\"", "\"4\"", "\"2026-11-30T23:21:00Z\""))));
            positions.add(storeRaw(store, batch.formatted(
                    record.formatted("m3", "/api/me", "200", "1", "1764545400.25"))));
            positions.add(storeRaw(store, batch.formatted(
                    record.formatted("m4", "/" + "b".repeat(250), "200", "1", "\"2026-11-30T23:22:00Z\""))));
            positions.add(store(store, call(HOUR.plusSeconds(42), 200, 3), "2026-12-01T00:00:01.000Z"));

            long rows;
            try (Connection c = loadedDs.getConnection()) {
                c.setAutoCommit(false);
                rows = new UsageLoad().load(c, new StoredPayloads(SERIALIZER), Long.MAX_VALUE, null);
                c.commit();
            }
            assertThat(rows).isEqualTo(11);

            // the same stored events, read as Axon reads them, through the handler
            SingleConnectionDataSource tx = inTransaction(liveDs);
            AnnotationEventHandlerAdapter usage = new AnnotationEventHandlerAdapter(
                    new UsageProjection(new JdbcTemplate(tx), new SimpleMeterRegistry(), Clock.systemUTC()));
            for (long position : positions) {
                usage.handle(stored(store, position));
            }
            commit(tx);
            tx.destroy();
            assertThat(everyRow(store)).hasSize(11).isEqualTo(everyRow(new JdbcTemplate(liveDs)));
            assertThat(everyHour(store)).isNotEmpty().isEqualTo(everyHour(new JdbcTemplate(liveDs)));
            // positive controls: the cut endpoint, the rounded instant, the request id taken from the metadata
            assertThat(store.queryForObject("SELECT length(endpoint) FROM usage_logs WHERE id = 'm4'", Integer.class))
                    .isEqualTo(200);
            assertThat(store.queryForObject("SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'SS.US') FROM usage_logs "
                    + "WHERE id = 's4'", String.class)).isEqualTo("30.520799");
            assertThat(store.queryForObject("SELECT count(*) FROM usage_logs WHERE request_id LIKE 'req-%'",
                    Integer.class)).isEqualTo(10);
        } finally {
            drop(loadedDs, false, loaded);
            drop(liveDs, false, live);
        }
    }

    /** Appends a usage batch as it is stored, in JSON written by hand; returns its position. */
    private static long storeRaw(JdbcTemplate jdbc, String json) {
        String id = UUID.randomUUID().toString();
        SerializedType type = SERIALIZER.typeForClass(UsageRecordedBatchEvent.class);
        return jdbc.queryForObject("INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, "
                + "sequence_number, type, time_stamp, payload_type, payload_revision, payload, meta_data) VALUES "
                + "(?, ?, 0, NULL, '2026-12-01T00:00:00.500Z', ?, ?, ?, ?) RETURNING global_index", Long.class, id, id,
                type.getName(), type.getRevision(), json.getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8));
    }

    /** The stored event at this position, read back as Axon's processors read it. */
    private static EventMessage<?> stored(JdbcTemplate jdbc, long position) {
        return jdbc.queryForObject("SELECT payload_type, payload_revision, payload, meta_data FROM domain_event_entry "
                + "WHERE global_index = ?", (r, i) -> {
                    Object payload = SERIALIZER.deserialize(new SimpleSerializedObject<>(r.getBytes(3), byte[].class,
                            r.getString(1), r.getString(2)));
                    MetaData metaData = SERIALIZER.deserialize(new SimpleSerializedObject<>(r.getBytes(4),
                            byte[].class, MetaData.class.getName(), null));
                    return GenericEventMessage.asEventMessage(payload).andMetaData(metaData);
                }, position);
    }

    /** Every column of every usage_logs row, as text. */
    private static List<String> everyRow(JdbcTemplate jdbc) {
        return jdbc.queryForList("SELECT concat_ws('|', id, tenant_id, user_id, coalesce(api_key_id, '-'), endpoint, "
                + "method, status, duration_ms, bytes, units, occurred_at, coalesce(request_id, '-')) FROM usage_logs "
                + "ORDER BY id", String.class);
    }

    private static List<String> everyHour(JdbcTemplate jdbc) {
        return jdbc.queryForList("SELECT concat_ws('|', tenant_id, hour_start, endpoint, method, calls, units, errors) "
                + "FROM usage_rollups ORDER BY 1", String.class);
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
