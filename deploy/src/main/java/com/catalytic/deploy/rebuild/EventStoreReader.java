package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.config.AxonConfiguration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.springframework.jdbc.core.JdbcTemplate;

/** Reads the live event store in global order, as the application configures it (AxonConfiguration). */
final class EventStoreReader {

    /** Events per query of the event store. */
    private static final int QUERY_BATCH = 10_000;

    /** Read no further: the position past every event. */
    static final long TO_THE_END = Long.MAX_VALUE;

    private final JdbcEventStorageEngine events;
    private final JdbcTemplate jdbc;

    /**
     * @param connection the live schema, on a connection of the reader's own
     * @param upcasters  the application's upcasters, so a future upcaster applies to the rebuild too
     */
    EventStoreReader(DataSource connection, EventUpcasterChain upcasters) {
        this.events = engine(connection, upcasters);
        this.jdbc = new JdbcTemplate(connection);
    }

    /**
     * The position of the last event stored at or before {@code asOf} (-1: none): no event of that instant comes
     * after it, whatever the order of time stamps around it. The events' BRIN index of time stamps (migration V24)
     * keeps this query proportional to the events it finds; {@code max(global_index + 0)} keeps PostgreSQL from
     * walking the primary key backwards instead.
     */
    long lastPositionAt(Instant asOf) {
        Long last = jdbc.queryForObject("SELECT max(global_index + 0) FROM domain_event_entry "
                + "WHERE time_stamp COLLATE \"C\" <= ?", Long.class,
                DateTimeUtils.formatInstant(asOf.truncatedTo(ChronoUnit.MILLIS)));
        return last == null ? -1 : last;
    }

    /** How many events are stored up to and including position {@code last}. */
    long countUpTo(long last) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE global_index <= ?", Long.class,
                last);
    }

    /**
     * Starts reading after {@code from} (null: from the start) up to and including position {@code last}, keeping
     * events up to {@code asOf} (null: all).
     */
    ReadAhead readFrom(TrackingToken from, long last, Instant asOf) {
        return new ReadAhead(events, from, last, asOf);
    }

    private static JdbcEventStorageEngine engine(DataSource connection, EventUpcasterChain upcasters) {
        Serializer serializer = JacksonSerializer.builder().objectMapper(AxonConfiguration.eventMapper())
                .revisionResolver(new AnnotationRevisionResolver()).build();
        return JdbcEventStorageEngine.builder()
                .connectionProvider(new DataSourceConnectionProvider(connection))
                .upcasterChain(upcasters)
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .schema(AxonConfiguration.eventSchemaDefinition())
                .dataType(byte[].class)
                .batchSize(QUERY_BATCH)
                .build();
    }
}
