package com.catalytic.deploy.legacy;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.projections.EventProcessingGroup;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Publishes an imported tenant through the service's own event store, as its commands would: the events are
 * stored and the projections that follow commands synchronously (accounts, lattices) are updated in the same
 * transaction, with the tenant's unique names claimed; streaming projections (usage, audit) follow as for any
 * event. Imported events carry {@code origin = legacy-import}, so nothing is e-mailed or delivered for them.
 */
final class EventPublisher {

    /** Usage records per stored event. */
    static final int RECORDS_PER_EVENT = 500;

    private final EventStore events;
    private final TransactionManager transactions;
    private final JdbcTemplate jdbc;
    private final JdbcTargetState state;

    EventPublisher(EventStore events, TransactionManager transactions, JdbcTemplate jdbc) {
        this.events = events;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.state = new JdbcTargetState(jdbc);
    }

    TargetState state() {
        return state;
    }

    /** The tenant, its members, keys and lattices, in one transaction: all of it or none. */
    void tenant(TenantImport tenant) {
        inTransaction(() -> {
            Timestamp now = Timestamp.from(Instant.now());
            for (TenantImport.Claim c : tenant.claims) {
                if (!c.ownerId().equals(state.claimOwner(c.scope(), c.value()))) {
                    jdbc.update("INSERT INTO unique_claims (scope, claim_value, owner_id, claimed_at) VALUES (?, ?, ?, ?)",
                            c.scope(), c.value(), c.ownerId(), now);
                }
            }
            List<EventMessage<?>> messages = new ArrayList<>(tenant.events.size());
            for (TenantImport.Staged e : tenant.events) {
                messages.add(new GenericDomainEventMessage<>(e.type(), e.aggregateId(), e.sequence(), e.payload(),
                        metaData(tenant.tenantId), e.eventId(), e.at()));
            }
            events.publish(messages);
        });
    }

    /**
     * A page of the tenant's API call history, in its own transaction; a page stored by an earlier run (same
     * first call, same event id) is not stored again, so an interrupted import resumes where it stopped.
     */
    void usage(TenantImport tenant, List<UsageRecord> records) {
        String first = TenantImport.eventId("usage/" + records.get(0).usageId());
        if (state.eventStored(first)) {
            return;
        }
        inTransaction(() -> {
            List<EventMessage<?>> messages = new ArrayList<>();
            for (int from = 0; from < records.size(); from += RECORDS_PER_EVENT) {
                List<UsageRecord> chunk = records.subList(from, Math.min(records.size(), from + RECORDS_PER_EVENT));
                messages.add(new GenericEventMessage<>(TenantImport.eventId("usage/" + chunk.get(0).usageId()),
                        new UsageRecordedBatchEvent(tenant.tenantId, List.copyOf(chunk)), metaData(tenant.tenantId),
                        chunk.get(chunk.size() - 1).occurredAt()));
            }
            events.publish(messages);
        });
    }

    private void inTransaction(Runnable work) {
        UnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
        try {
            uow.attachTransaction(transactions);
            work.run();
            uow.commit();
        } catch (RuntimeException e) {
            if (uow.isActive()) {
                uow.rollback(e);
            }
            throw e;
        }
    }

    private static Map<String, Object> metaData(String tenantId) {
        return Map.of("tenant_id", tenantId, "actor_type", "system",
                EventProcessingGroup.ORIGIN, EventProcessingGroup.IMPORTED);
    }
}
