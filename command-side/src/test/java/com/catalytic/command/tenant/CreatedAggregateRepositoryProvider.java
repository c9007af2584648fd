package com.catalytic.command.tenant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.axonframework.common.Registration;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.modelling.command.Aggregate;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.axonframework.modelling.command.RepositoryProvider;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

/**
 * Gives an aggregate under test the repositories its {@code createNew} calls need. They create real event-sourced
 * aggregates and keep them in memory. Their events are kept here as domain events and handed on to the fixture
 * as plain events: the fixture's store refuses domain events of a second aggregate, and plain events still show
 * up, in publication order, in {@code expectEvents}.
 */
public class CreatedAggregateRepositoryProvider implements RepositoryProvider {

    private final EventBus fixtureEventStore;
    private final List<DomainEventMessage<?>> publishedEvents = new ArrayList<>();
    private final EventBus eventBus = new HandingOnEventBus();
    private final Map<Class<?>, InMemoryRepository<?>> repositories = new HashMap<>();

    public CreatedAggregateRepositoryProvider(EventBus fixtureEventStore, Class<?>... aggregateTypes) {
        this.fixtureEventStore = fixtureEventStore;
        for (Class<?> type : aggregateTypes) {
            repositories.put(type, repositoryOf(type));
        }
    }

    /** The domain events the created aggregates published, in order. */
    public List<DomainEventMessage<?>> publishedEvents() {
        return List.copyOf(publishedEvents);
    }

    private void handOn(EventMessage<?> event) {
        publishedEvents.add((DomainEventMessage<?>) event);
        fixtureEventStore.publish(new GenericEventMessage<>(event, event::getTimestamp));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Repository<T> repositoryFor(Class<T> aggregateType) {
        return (Repository<T>) repositories.get(aggregateType);
    }

    private <T> InMemoryRepository<T> repositoryOf(Class<T> type) {
        return new InMemoryRepository<>(AnnotatedAggregateMetaModelFactory.inspectAggregate(type));
    }

    private final class InMemoryRepository<T> implements Repository<T> {

        private final AggregateModel<T> model;
        private final Map<String, Aggregate<T>> created = new HashMap<>();

        private InMemoryRepository(AggregateModel<T> model) {
            this.model = model;
        }

        @Override
        public Aggregate<T> newInstance(Callable<T> factoryMethod) throws Exception {
            EventSourcedAggregate<T> aggregate = EventSourcedAggregate.initialize(factoryMethod, model, eventBus,
                    CreatedAggregateRepositoryProvider.this, NoSnapshotTriggerDefinition.TRIGGER);
            created.put(aggregate.identifierAsString(), aggregate);
            return aggregate;
        }

        @Override
        public Aggregate<T> load(String aggregateIdentifier) {
            Aggregate<T> aggregate = created.get(aggregateIdentifier);
            if (aggregate == null) {
                throw new AggregateNotFoundException(aggregateIdentifier, "not created in this test");
            }
            return aggregate;
        }

        @Override
        public Aggregate<T> load(String aggregateIdentifier, Long expectedVersion) {
            return load(aggregateIdentifier);
        }

        @Override
        public void send(Message<?> message, ScopeDescriptor scopeDescription) {
            throw new UnsupportedOperationException("scope messages are not used by these aggregates");
        }

        @Override
        public boolean canResolve(ScopeDescriptor scopeDescription) {
            return false;
        }
    }

    private final class HandingOnEventBus implements EventBus {

        @Override
        public void publish(List<? extends EventMessage<?>> events) {
            events.forEach(CreatedAggregateRepositoryProvider.this::handOn);
        }

        @Override
        public Registration subscribe(Consumer<List<? extends EventMessage<?>>> eventProcessor) {
            throw new UnsupportedOperationException("read the events from the fixture");
        }

        @Override
        public Registration registerDispatchInterceptor(
                MessageDispatchInterceptor<? super EventMessage<?>> dispatchInterceptor) {
            throw new UnsupportedOperationException("no interceptors in aggregate tests");
        }
    }
}
