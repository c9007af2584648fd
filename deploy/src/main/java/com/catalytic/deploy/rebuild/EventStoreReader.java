package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.config.AxonConfiguration;
import java.time.Instant;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;

/** Reads the live event store in global order, as the application configures it (AxonConfiguration). */
final class EventStoreReader {

    /** Events per query of the event store. */
    private static final int QUERY_BATCH = 10_000;

    private final JdbcEventStorageEngine events;

    /**
     * @param connection the live schema, on a connection of the reader's own
     * @param upcasters  the application's upcasters, so a future upcaster applies to the rebuild too
     */
    EventStoreReader(DataSource connection, EventUpcasterChain upcasters) {
        this.events = engine(connection, upcasters);
    }

    /** Starts reading after {@code from} (null: from the start), keeping events up to {@code asOf} (null: all). */
    ReadAhead readFrom(TrackingToken from, Instant asOf) {
        return new ReadAhead(events, from, asOf);
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
