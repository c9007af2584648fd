package com.catalytic.command.eventstore;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.error.SecretFields;
import com.catalytic.api.history.HistoryQueries.AggregateEvents;
import com.catalytic.api.history.HistoryQueries.AggregateEventsQuery;
import com.catalytic.api.history.HistoryQueries.AggregateState;
import com.catalytic.api.history.HistoryQueries.AggregateStateQuery;
import com.catalytic.api.history.HistoryQueries.HistoryEvent;
import com.catalytic.api.identity.TenantScoped;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.command.apikey.ApiKeyAggregate;
import com.catalytic.command.auth.AuthSession;
import com.catalytic.command.billing.SubscriptionAggregate;
import com.catalytic.command.lattice.LatticeAggregate;
import com.catalytic.command.tenant.TenantAggregate;
import com.catalytic.command.user.UserAggregate;
import com.catalytic.command.webhook.WebhookAggregate;
import com.catalytic.infrastructure.personal.OpenedJson;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.SimpleEventBus;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.GenericAggregateFactory;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.MessageHandlerTimeout;
import org.axonframework.messaging.annotation.MultiParameterResolverFactory;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.config.annotation.SpringBeanParameterResolverFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/**
 * History for auditors, answered from the event store: the events of one aggregate, and its state as of any instant,
 * computed by replaying its events up to then through the aggregate's own event-sourcing handlers. Scoped by tenant
 * like everything else: another tenant's aggregate does not exist.
 */
@Component
class HistoryQueryHandlers {

    static final Map<String, Class<?>> AGGREGATES = Map.of(
            "tenant", TenantAggregate.class,
            "user", UserAggregate.class,
            "session", AuthSession.class,
            "api_key", ApiKeyAggregate.class,
            "subscription", SubscriptionAggregate.class,
            "webhook", WebhookAggregate.class,
            "lattice", LatticeAggregate.class);
    private static final ObjectMapper PAYLOADS = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final ObjectMapper STATE = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);

    private final EventStore eventStore;
    private final Configuration axon;
    private final ParameterResolverFactory resolvers;
    private final PersonalData personalData;

    public HistoryQueryHandlers(EventStore eventStore, Configuration axon,
                                ApplicationContext spring, PersonalData personalData) {
        this.eventStore = eventStore;
        this.personalData = personalData;
        this.axon = axon;
        // the application's resolvers plus its beans, so that command handlers taking Spring beans inspect cleanly
        this.resolvers = MultiParameterResolverFactory.ordered(axon.parameterResolverFactory(),
                new SpringBeanParameterResolverFactory(spring));
    }

    /** Events in sequence order; {@code nextCursor}, the last one's sequence, when more follow. */
    @QueryHandler
    public AggregateEvents handle(AggregateEventsQuery q) {
        DomainEventStream owned = owned(q.tenantId(), q.aggregateType(), q.aggregateId());
        DomainEventStream stream = q.after() < 0 ? owned : eventStore.readEvents(q.aggregateId(), q.after() + 1);
        List<HistoryEvent> out = new ArrayList<>();
        while (out.size() < q.limit() && stream.hasNext()) {
            DomainEventMessage<?> e = stream.next();
            out.add(new HistoryEvent(e.getSequenceNumber(), e.getIdentifier(),
                    e.getPayloadType().getName().replaceAll("^.*[.$]", ""), e.getPayloadType().getName(),
                    revision(e.getPayloadType()), e.getTimestamp(), shown(PAYLOADS.valueToTree(e.getPayload())),
                    OpenedJson.open(e.getMetaData(), personalData)));
        }
        Long next = stream.hasNext() ? out.get(out.size() - 1).sequence() : null;
        return new AggregateEvents(out, next);
    }

    /**
     * The state after the events that occurred at or before {@code at} (the stream's prefix up to the first later
     * event), folded one event at a time as they are read: memory does not grow with the stream's length, time does
     * (30 minutes at most, instead of the 30 s of other queries; see axon.timeout in application.yml).
     */
    @QueryHandler
    @MessageHandlerTimeout(timeoutMs = 1_800_000, warningThresholdMs = 60_000, warningIntervalMs = 60_000)
    public AggregateState handle(AggregateStateQuery q) {
        String type = q.aggregateType();
        DomainEventStream stream = owned(q.tenantId(), type, q.aggregateId());
        DomainEventMessage<?> first = stream.peek();
        if (first.getTimestamp().isAfter(q.at())) {
            throw DomainException.notFound(type.replace('_', ' ') + " at " + q.at());
        }
        AtomicReference<DomainEventMessage<?>> last = new AtomicReference<>();
        DomainEventStream upTo = DomainEventStream.of(stream.asStream()
                .takeWhile(e -> !e.getTimestamp().isAfter(q.at()))
                .peek(last::set));
        Object root = replay(AGGREGATES.get(type), q.aggregateId(), first, upTo);
        return new AggregateState(type, q.aggregateId(), q.at(), last.get().getSequenceNumber(),
                last.get().getTimestamp(), shown(STATE.valueToTree(root)));
    }

    /** The aggregate's stream from its first event (never a snapshot), once that event shows it is the tenant's. */
    private DomainEventStream owned(String tenantId, String type, String id) {
        if (!AGGREGATES.containsKey(type)) {
            throw DomainException.notFound("aggregate type '" + type + "'");
        }
        DomainEventStream stream = eventStore.readEvents(id, 0);
        DomainEventMessage<?> first = stream.hasNext() ? stream.peek() : null;
        if (first == null || !type.equals(first.getType()) || !tenantId.equals(tenantOf(first))) {
            throw DomainException.notFound(type.replace('_', ' '));
        }
        return stream;
    }

    private static String tenantOf(DomainEventMessage<?> e) {
        if (e.getPayload() instanceof TenantScoped scoped && scoped.tenantId() != null) {
            return scoped.tenantId();
        }
        Object t = e.getMetaData().get("tenant_id");
        return t == null ? null : t.toString();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object replay(Class type, String id, DomainEventMessage<?> first, DomainEventStream events) {
        AggregateModel model = AnnotatedAggregateMetaModelFactory.inspectAggregate(type, resolvers,
                axon.handlerDefinition(type));
        Object root = new GenericAggregateFactory(model).createAggregateRoot(id, first);
        EventSourcedAggregate aggregate = EventSourcedAggregate.initialize(root, model, SimpleEventBus.builder().build(),
                NoSnapshotTriggerDefinition.TRIGGER);
        aggregate.initializeState(events);
        return aggregate.getAggregateRoot();
    }

    /** Secrets left out, personal data opened (an erased subject's shows as erased). */
    private JsonNode shown(JsonNode node) {
        return OpenedJson.open(redacted(node), personalData);
    }

    private static JsonNode redacted(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            List<String> drop = new ArrayList<>();
            obj.fieldNames().forEachRemaining(n -> {
                if (SecretFields.isSecret(n)) {
                    drop.add(n);
                }
            });
            obj.remove(drop);
            obj.forEach(HistoryQueryHandlers::redacted);
        } else if (node != null && node.isArray()) {
            node.forEach(HistoryQueryHandlers::redacted);
        }
        return node;
    }

    private static String revision(Class<?> type) {
        Revision r = type.getAnnotation(Revision.class);
        return r == null ? null : r.value();
    }
}
