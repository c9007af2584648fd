package com.catalytic.deploy.config;

import com.catalytic.infrastructure.node.NodeRoles;
import com.catalytic.projections.EventProcessingGroup.Mode;
import com.catalytic.projections.EventProcessingGroup.Option;
import com.catalytic.projections.EventProcessingGroup;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.IntervalRetryScheduler;
import org.axonframework.common.AxonThreadFactory;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventsourcing.eventstore.jpa.SQLStateResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.async.MetaDataSequencingPolicy;
import org.axonframework.eventhandling.pooled.MaxSegmentProvider;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Axon on the relational database through its JDBC storage engine (bytea columns, snake_case tables created by
 * Flyway), Jackson serialization with a mapper of its own (stored events never change with the HTTP JSON style),
 * processors as {@link EventProcessingGroup} declares them (pooled streaming by default), and errors that propagate
 * instead of silently skipping events.
 */
@Configuration
public class AxonConfiguration {

    static {
        // event times in millisecond steps: what projections see live is exactly what the event store keeps and a
        // replay sees, so rebuilt read models equal the live ones to the last digit
        GenericEventMessage.clock =
                Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
    }

    /** The stored-event JSON style: ISO timestamps, tolerant of fields added by later revisions. */
    public static ObjectMapper eventMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Bean
    @Primary
    public Serializer serializer() {
        return JacksonSerializer.builder()
                .objectMapper(eventMapper())
                .revisionResolver(new AnnotationRevisionResolver())
                .build();
    }

    @Bean
    public EventSchema eventSchema() {
        return eventSchemaDefinition();
    }

    /** The snake_case event tables created by V1__axon_event_store.sql. */
    public static EventSchema eventSchemaDefinition() {
        return EventSchema.builder()
                .eventTable("domain_event_entry")
                .snapshotTable("snapshot_event_entry")
                .globalIndexColumn("global_index")
                .timestampColumn("time_stamp")
                .eventIdentifierColumn("event_identifier")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .payloadTypeColumn("payload_type")
                .payloadRevisionColumn("payload_revision")
                .payloadColumn("payload")
                .metaDataColumn("meta_data")
                .build();
    }

    /**
     * A duplicate (an aggregate's sequence number taken by a concurrent append) is SQLState 23505 on PostgreSQL and
     * H2 alike. Axon's default resolver goes by vendor error code, and every PostgreSQL error has code 0: a broken
     * connection became "Cannot reuse aggregate identifier", a conflict instead of an outage.
     */
    @Bean
    public PersistenceExceptionResolver persistenceExceptionResolver() {
        return new SQLStateResolver("23505");
    }

    /** The relational event store; with Axon Server switched on, Axon Server stores the events instead. */
    @Bean
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
    public EventStorageEngine eventStorageEngine(Serializer serializer,
                                                 @Qualifier("eventSerializer") Serializer eventSerializer,
                                                 PersistenceExceptionResolver persistenceExceptionResolver,
                                                 org.axonframework.config.Configuration configuration,
                                                 ConnectionProvider connectionProvider,
                                                 TransactionManager transactionManager,
                                                 EventSchema schema,
                                                 @Value("${catalytic.event-store.batch-size:500}") int batchSize) {
        return JdbcEventStorageEngine.builder()
                .snapshotSerializer(serializer)
                .eventSerializer(eventSerializer)
                .upcasterChain(configuration.upcasterChain())
                .snapshotFilter(configuration.snapshotFilter())
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(schema)
                .dataType(byte[].class)
                .batchSize(batchSize)
                .build();
    }

    /**
     * The event bus and store (what Axon's auto-configuration would build), with a small cache: the events the
     * streaming processors have just read stay in memory, deserialized, until the cache is trimmed, and a usage
     * event holds hundreds of calls. Axon's default of 10,000 events kept about a gigabyte of usage records alive;
     * a processor that falls further behind than the cache reads from the database instead.
     */
    @Bean(name = "eventBus")
    @Qualifier("eventStore")
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
    public EmbeddedEventStore eventStore(EventStorageEngine storageEngine,
                                         org.axonframework.config.Configuration configuration,
                                         @Value("${catalytic.event-store.cached-events:64}") int cachedEvents) {
        return EmbeddedEventStore.builder()
                .storageEngine(storageEngine)
                .messageMonitor(configuration.messageMonitor(EventStore.class, "eventStore"))
                .spanFactory(configuration.getComponent(EventBusSpanFactory.class))
                .cachedEvents(cachedEvents)
                .build();
    }

    @Bean
    public TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("time_stamp")
                .setOwnerColumn("owner")
                .build();
    }

    @Bean
    public TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer serializer, TokenSchema schema,
                                 ProcessingNodes nodes,
                                 @Value("${catalytic.token-store.claim-timeout:10s}") Duration claimTimeout) {
        return JdbcTokenStore.builder()
                .connectionProvider(connectionProvider)
                .serializer(serializer)
                .schema(schema)
                .contentType(byte[].class)
                .claimTimeout(claimTimeout)
                .nodeId(nodes.nodeId())
                .build();
    }

    /**
     * Commands that lose an optimistic-concurrency race (two nodes appending to one aggregate) are retried; business
     * rejections are not.
     */
    @Bean
    public CommandGateway commandGateway(CommandBus commandBus) {
        IntervalRetryScheduler retry = new LostRaceRetryScheduler(IntervalRetryScheduler.builder()
                .retryExecutor(Executors.newScheduledThreadPool(1, new AxonThreadFactory("command-retry")))
                .retryInterval(50)
                .maxRetryCount(5));
        return DefaultCommandGateway.builder().commandBus(commandBus).retryScheduler(retry).build();
    }

    /**
     * Retries a command only when it lost an append race. Axon asks its failure predicate about every exception in
     * the cause chain, so a predicate cannot say "retry a ConcurrencyException" (its SQL cause would answer "do not");
     * the whole chain is judged here instead.
     */
    static final class LostRaceRetryScheduler extends IntervalRetryScheduler {

        LostRaceRetryScheduler(IntervalRetryScheduler.Builder builder) {
            super(builder);
        }

        @Override
        protected boolean isExplicitlyNonTransient(Throwable failure) {
            return !lostRace(failure);
        }

        static boolean lostRace(Throwable failure) {
            for (Throwable c = failure; c != null; c = c.getCause()) {
                if (c instanceof ConcurrencyException) {
                    return true;
                }
                if (c.getCause() == c) {
                    break;
                }
            }
            return false;
        }
    }

    @Autowired
    public void configureProcessors(EventProcessingConfigurer processing, NodeRoles roles,
                                    MaxSegmentProvider shares,
                                    @Value("${catalytic.processors.batch-size:200}") int batchSize,
                                    @Value("${catalytic.processors.segments:2}") int segments,
                                    @Value("${catalytic.processors.claim-interval:2s}") Duration claimInterval) {
        processing.usingPooledStreamingEventProcessors((config, builder) -> builder
                .batchSize(batchSize)
                .initialSegmentCount(segments)
                .maxSegmentProvider(shares)
                // how often a node looks for segments to claim (a dead node's, once its claims lapse) or release
                .tokenClaimInterval(claimInterval.toMillis()));
        processing.registerDefaultListenerInvocationErrorHandler(config -> PropagatingErrorHandler.instance());
        for (EventProcessingGroup group : EventProcessingGroup.values()) {
            if (runsHere(group, roles)) {
                configure(processing, group);
            } else {
                processing.registerEventProcessor(group.groupName(),
                        (name, config, handlers) -> new UnservedEventProcessor(name));
            }
        }
        // one tenant's events in order on one segment: the audit chain and usage rollups grow per tenant
        processing.registerDefaultSequencingPolicy(config -> MetaDataSequencingPolicy.builder()
                .metaDataKey("tenant_id").build());
    }

    /**
     * Subscribing groups run wherever a command publishes (in its transaction: they start no thread of their own);
     * streaming projections on the nodes holding the projections role, the other streaming groups (they plan e-mails
     * and webhook deliveries) on the dispatchers.
     */
    static boolean runsHere(EventProcessingGroup group, NodeRoles roles) {
        return ProcessingNodes.roleOf(group).map(roles::has).orElse(true);
    }

    /** What the declaration says of one group; anything it does not say is the pooled streaming default. */
    private static void configure(EventProcessingConfigurer processing, EventProcessingGroup group) {
        String name = group.groupName();
        if (group.mode() == Mode.SUBSCRIBING) {
            processing.registerSubscribingEventProcessor(name);
        }
        if (group.has(Option.STARTS_AT_HEAD)) {
            processing.registerPooledStreamingEventProcessorConfiguration(name,
                    (config, builder) -> builder.initialToken(source -> source.createHeadToken()));
        }
        if (group.has(Option.SKIPS_METERED_CALLS)) {
            // metered calls are usage_logs only: skipped before their (large) payloads are deserialized
            processing.registerHandlerInterceptor(name, config -> (unitOfWork, chain) ->
                    group.skips(unitOfWork.getMessage().getPayloadType()) ? null : chain.proceed());
        }
        if (group.has(Option.SKIPS_IMPORTED_HISTORY)) {
            processing.registerHandlerInterceptor(name, config -> AxonConfiguration::skipImportedHistory);
        }
    }

    /** Imported history is not news: nothing is sent for it. */
    private static Object skipImportedHistory(UnitOfWork<? extends EventMessage<?>> unitOfWork,
                                              InterceptorChain chain) throws Exception {
        return EventProcessingGroup.IMPORTED.equals(unitOfWork.getMessage().getMetaData().get(EventProcessingGroup.ORIGIN))
                ? null : chain.proceed();
    }
}
