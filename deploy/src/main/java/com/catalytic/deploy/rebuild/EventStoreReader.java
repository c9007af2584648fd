package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.config.AxonConfiguration;
import com.catalytic.projections.StoredPayloads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.eventhandling.EventUtils;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedDomainEventData;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads the live event store in global order, on one connection of its own, into the messages the application's
 * processors would see (the same serializer and upcasters as AxonConfiguration). During a replay the connection holds
 * one snapshot of the store, which the projections loading their own events in the database share
 * ({@link #beginSnapshot()}): both see exactly the same events.
 */
final class EventStoreReader {

    /** Events per query of the event store. */
    static final int QUERY_BATCH = 10_000;

    /** Read no further: the position past every event. */
    static final long TO_THE_END = Long.MAX_VALUE;

    /**
     * Positions below the last one read that are kept as gaps (an append not yet committed, or rolled back): the
     * catch-up reads them again. The live processors' window (Axon's default maximum gap offset).
     */
    static final int GAP_WINDOW = 10_000;

    /** Where a read stopped: the last position read, and the positions below it not stored (yet) within the window. */
    record Position(long index, SortedSet<Long> gaps) {

        /** Before every event. */
        static final Position START = new Position(-1, new TreeSet<>());
    }

    /**
     * One stored event: its position and time stamp, and its data unless it is only counted (a projection loads it in
     * the database, or no projection rebuilt handles it).
     */
    record Row(long index, String timeStamp, TrackedEventData<byte[]> data) {

        boolean countedOnly() {
            return data == null;
        }
    }

    private static final String COLUMNS = "global_index, type, aggregate_identifier, sequence_number, "
            + "event_identifier, time_stamp, payload_type, payload_revision";

    private final DataSource connection;
    private final JdbcTemplate jdbc;
    private final JacksonSerializer serializer;
    private final EventUpcasterChain upcasters;

    /**
     * @param connection the live schema, on a connection of the reader's own
     * @param upcasters  the application's upcasters, so a future upcaster applies to the rebuild too
     */
    EventStoreReader(DataSource connection, EventUpcasterChain upcasters) {
        this.connection = connection;
        this.jdbc = new JdbcTemplate(connection);
        this.serializer = JacksonSerializer.builder().objectMapper(AxonConfiguration.eventMapper())
                .revisionResolver(new AnnotationRevisionResolver()).build();
        this.upcasters = upcasters;
    }

    /**
     * The same reader, on the same connection (and so in the same snapshot), reading through these upcasters: the
     * application's, known once the rebuild's context is up.
     */
    EventStoreReader withUpcasters(EventUpcasterChain chain) {
        return new EventStoreReader(connection, chain);
    }

    /** How a payload type is stored: its name and current revision in the event store. */
    SerializedType stored(Class<?> payloadType) {
        return serializer.typeForClass(payloadType);
    }

    /** How payloads are stored and read back, for the projections that load their events themselves. */
    StoredPayloads payloads() {
        return new StoredPayloads(serializer);
    }

    /**
     * Starts the one transaction (repeatable read) in which the replay reads, and returns its snapshot's name, which
     * another connection imports to see the same events. Until {@link #endSnapshot()}.
     */
    String beginSnapshot() throws SQLException {
        Connection c = connection.getConnection();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        return jdbc.queryForObject("SELECT pg_export_snapshot()", String.class);
    }

    /** Ends the snapshot: reads see every committed event again (the catch-up). */
    void endSnapshot() throws SQLException {
        Connection c = connection.getConnection();
        c.commit();
        c.setAutoCommit(true);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }

    /** The position of the last event stored (-1: none). */
    long lastPosition() {
        Long last = jdbc.queryForObject("SELECT max(global_index) FROM domain_event_entry", Long.class);
        return last == null ? -1 : last;
    }

    /**
     * The position of the last event stored at or before {@code asOf} (-1: none): no event of that instant comes
     * after it, whatever the order of time stamps around it. The events' BRIN index of time stamps (migration V24)
     * keeps this query proportional to the events it finds; {@code max(global_index + 0)} keeps PostgreSQL from
     * walking the primary key backwards instead.
     */
    long lastPositionAt(Instant asOf) {
        Long last = jdbc.queryForObject("SELECT max(global_index + 0) FROM domain_event_entry "
                + "WHERE time_stamp COLLATE \"C\" <= ?", Long.class, stamp(asOf));
        return last == null ? -1 : last;
    }

    /**
     * An instant in the event store's time stamp format, to the millisecond it stores: fixed width, so compared in
     * "C" collation a time stamp's order is its instant's.
     */
    static String stamp(Instant asOf) {
        return DateTimeUtils.formatInstant(asOf.truncatedTo(ChronoUnit.MILLIS));
    }

    /** How many events are stored up to and including position {@code last}. */
    long countUpTo(long last) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE global_index <= ?", Long.class,
                last);
    }

    /**
     * Starts reading after {@code from} (its gaps included) up to and including position {@code last}, keeping
     * events up to {@code asOf} (null: all); events of the {@code countedOnly} forms are only counted (their data is
     * not read).
     */
    ReadAhead readFrom(Position from, long last, Instant asOf, Set<SerializedType> countedOnly) {
        return new ReadAhead(this, from, last, asOf == null ? null : stamp(asOf), countedOnly);
    }

    /** Up to {@link #QUERY_BATCH} events after position {@code after} up to {@code last}, in order. */
    List<Row> page(long after, long last, Set<SerializedType> countedOnly) throws SQLException {
        return query("global_index > ? AND global_index <= ? ORDER BY global_index LIMIT " + QUERY_BATCH,
                countedOnly, (ps, i) -> {
                    ps.setLong(i, after);
                    ps.setLong(i + 1, last);
                });
    }

    /** The events stored at these positions up to {@code last}, in order. */
    List<Row> at(Collection<Long> positions, long last, Set<SerializedType> countedOnly) throws SQLException {
        return query("global_index = ANY (?) AND global_index <= ? ORDER BY global_index", countedOnly,
                (ps, i) -> {
                    ps.setArray(i, ps.getConnection().createArrayOf("bigint", positions.toArray()));
                    ps.setLong(i + 1, last);
                });
    }

    /** The messages of these rows (none only counted), upcast and deserialized as the processors'. */
    List<TrackedEventMessage<?>> messages(List<TrackedEventData<byte[]>> rows) {
        return EventUtils.upcastAndDeserializeTrackedEvents(rows.stream(), serializer, upcasters).toList();
    }

    private interface Bind {
        void at(PreparedStatement ps, int index) throws SQLException;
    }

    /** Rows matching {@code where}; the payload and metadata of the {@code countedOnly} forms stay unread. */
    private List<Row> query(String where, Set<SerializedType> countedOnly, Bind bind) throws SQLException {
        StringBuilder counted = new StringBuilder("false");
        countedOnly.forEach(t -> counted.append(" OR (payload_type = ? AND payload_revision IS NOT DISTINCT "
                + "FROM ?)"));
        String sql = "SELECT " + COLUMNS + ", l, CASE WHEN l THEN NULL ELSE payload END, CASE WHEN l THEN NULL ELSE "
                + "meta_data END FROM (SELECT *, " + counted + " AS l FROM domain_event_entry WHERE " + where + ") e";
        Connection c = connection.getConnection();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (SerializedType t : countedOnly) {
                ps.setString(i++, t.getName());
                ps.setString(i++, t.getRevision());
            }
            bind.at(ps, i);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
            return rows;
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        long index = rs.getLong(1);
        String timeStamp = rs.getString(6);
        if (rs.getBoolean(9)) {
            return new Row(index, timeStamp, null);
        }
        // the columns Axon's JDBC engine reads, into the same event data
        return new Row(index, timeStamp, new TrackedDomainEventData<>(new GlobalSequenceTrackingToken(index),
                new GenericDomainEventEntry<>(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                        timeStamp, rs.getString(7), rs.getString(8), rs.getBytes(10), rs.getBytes(11))));
    }
}
