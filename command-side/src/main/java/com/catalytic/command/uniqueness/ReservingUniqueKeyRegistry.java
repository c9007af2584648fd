package com.catalytic.command.uniqueness;

import com.catalytic.infrastructure.secrets.Ids;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Unique claims for an event store outside PostgreSQL (Axon Server), where a claim cannot commit in the events'
 * transaction. A claim is reserved in a transaction of its own before the command's events are appended, confirmed
 * after they are, and taken back if the command fails; a release is marked before and done after. Every event the
 * command appends names its reservations in its metadata ({@value #METADATA_KEY}), so a node that died in between
 * leaves a pending row that {@link #settle()} decides from the events alone: the reservation's id among the events
 * its aggregate appended after the reservation, and the change goes through; absent, it is undone.
 */
final class ReservingUniqueKeyRegistry extends JdbcUniqueKeyRegistry implements AutoCloseable {

    /** The metadata key listing the reservations (comma-separated ids) that a command's events settle. */
    static final String METADATA_KEY = "unique_claims";

    private static final Logger log = LoggerFactory.getLogger(ReservingUniqueKeyRegistry.class);
    private static final String RESOURCE = ReservingUniqueKeyRegistry.class.getName();
    private static final int SETTLED_PER_ROUND = 100;

    private final HikariDataSource pool;
    private final JdbcTemplate own;
    private final TransactionTemplate ownTransaction;
    private final EventStore events;
    private final Clock clock;
    private final Duration settleAfter;

    /**
     * @param jdbc           the application's data source: reads, in the command's transaction
     * @param pool           connections of its own, so that a reservation never waits for a connection the
     *                       command's transaction holds
     * @param ownTransaction transactions on {@code pool}
     * @param settleAfter    how old a pending reservation must be before it is settled from the events; longer than
     *                       any command takes, so that a slow command is not settled under its feet
     */
    ReservingUniqueKeyRegistry(JdbcTemplate jdbc, HikariDataSource pool, TransactionTemplate ownTransaction,
                               EventStore events, Clock clock, Duration settleAfter) {
        super(jdbc, clock);
        this.pool = pool;
        this.own = new JdbcTemplate(pool);
        this.ownTransaction = ownTransaction;
        this.events = events;
        this.clock = clock;
        this.settleAfter = settleAfter;
    }

    /** What a pending claim becomes once its command's events are stored ({@code done}) or are not ({@code undo}). */
    private enum Pending {
        RESERVED("UPDATE unique_claims SET state = 'CONFIRMED', reservation_id = NULL, aggregate_id = NULL, "
                + "aggregate_sequence = NULL, pending_since = NULL WHERE reservation_id = ? AND state = 'RESERVED'",
                "DELETE FROM unique_claims WHERE reservation_id = ? AND state = 'RESERVED'"),
        RELEASING("DELETE FROM unique_claims WHERE reservation_id = ? AND state = 'RELEASING'",
                "UPDATE unique_claims SET state = 'CONFIRMED', reservation_id = NULL, aggregate_id = NULL, "
                        + "aggregate_sequence = NULL, pending_since = NULL WHERE reservation_id = ? "
                        + "AND state = 'RELEASING'");

        final String done;
        final String undo;

        Pending(String done, String undo) {
            this.done = done;
            this.undo = undo;
        }
    }

    @Override
    public boolean claim(Scope scope, String value, String ownerId, String aggregateId) {
        UnitOfWork<?> command = CurrentUnitOfWork.get();
        long sequence = events.lastSequenceNumberFor(aggregateId).orElse(-1L);
        String reservation = Ids.timeOrderedId();
        try {
            ownTransaction.executeWithoutResult(tx -> own.update("INSERT INTO unique_claims (scope, claim_value, "
                            + "owner_id, claimed_at, state, reservation_id, aggregate_id, aggregate_sequence, "
                            + "pending_since) VALUES (?, ?, ?, ?, 'RESERVED', ?, ?, ?, ?)",
                    scope.name(), value, ownerId, now(), reservation, aggregateId, sequence, now()));
        } catch (DuplicateKeyException taken) {
            return false;
        }
        follow(command, reservation, Pending.RESERVED);
        return true;
    }

    @Override
    public void release(Scope scope, String value, String ownerId, String aggregateId) {
        UnitOfWork<?> command = CurrentUnitOfWork.get();
        long sequence = events.lastSequenceNumberFor(aggregateId).orElse(-1L);
        String reservation = Ids.timeOrderedId();
        Integer marked = ownTransaction.execute(tx -> own.update("UPDATE unique_claims SET state = 'RELEASING', "
                        + "reservation_id = ?, aggregate_id = ?, aggregate_sequence = ?, pending_since = ? "
                        + "WHERE scope = ? AND claim_value = ? AND owner_id = ? AND state = 'CONFIRMED'",
                reservation, aggregateId, sequence, now(), scope.name(), value, ownerId));
        if (marked != null && marked > 0) {
            follow(command, reservation, Pending.RELEASING);
        }
    }

    /**
     * The command's events name the reservation; its change is done once they are stored and undone if the command
     * fails (a nested command failing inside a command that goes on counts as failed).
     */
    private void follow(UnitOfWork<?> command, String reservation, Pending pending) {
        UnitOfWork<?> root = command.root();
        root.<List<String>>getOrComputeResource(RESOURCE, k -> new ArrayList<>()).add(reservation);
        AtomicBoolean finished = new AtomicBoolean();
        Runnable undo = () -> {
            if (finished.compareAndSet(false, true)) {
                root.<List<String>>getResource(RESOURCE).remove(reservation);
                apply(pending.undo, reservation);
            }
        };
        command.onRollback(u -> undo.run());
        if (root != command) {
            root.onRollback(u -> undo.run());
        }
        root.afterCommit(u -> {
            if (finished.compareAndSet(false, true) && apply(pending.done, reservation) == 0) {
                log.error("Unique claim reservation {} was settled as failed before its command's events were "
                        + "stored: its command took longer than catalytic.unique-claims.settle-after ({})",
                        reservation, settleAfter);
            }
        });
    }

    /** Names the reservations of the command being handled on each event it appends. */
    static MessageDispatchInterceptor<EventMessage<?>> reservationsOfEvents() {
        return messages -> (index, event) -> {
            if (!CurrentUnitOfWork.isStarted()) {
                return event;
            }
            List<String> reservations = CurrentUnitOfWork.get().root().getResource(RESOURCE);
            return reservations == null || reservations.isEmpty() ? event
                    : event.andMetaData(Map.of(METADATA_KEY, String.join(",", reservations)));
        };
    }

    /**
     * Settles the reservations pending for longer than {@code settle-after}: left by a node that stopped between
     * reserving and confirming. Any node may run it; a reservation settled twice is settled the same way.
     *
     * @return the reservations settled
     */
    @Scheduled(fixedDelayString = "${catalytic.unique-claims.settle-interval:PT1M}", initialDelayString = "PT1M")
    public int settle() {
        List<Map<String, Object>> stale = own.queryForList("SELECT state, reservation_id, aggregate_id, "
                + "aggregate_sequence FROM unique_claims WHERE state <> 'CONFIRMED' AND pending_since < ? "
                + "ORDER BY pending_since LIMIT " + SETTLED_PER_ROUND, Timestamp.from(clock.instant()
                .minus(settleAfter)));
        for (Map<String, Object> row : stale) {
            Pending pending = Pending.valueOf((String) row.get("state"));
            String reservation = (String) row.get("reservation_id");
            String aggregate = (String) row.get("aggregate_id");
            long sequence = ((Number) row.get("aggregate_sequence")).longValue();
            boolean stored = namedByEvents(reservation, aggregate, sequence);
            int changed = apply(stored ? pending.done : pending.undo, reservation);
            if (changed > 0) {
                log.warn("Unique claim reservation {} ({}) of aggregate {} settled: {}", reservation, pending,
                        aggregate, stored ? "its command's events were stored, done" : "no event names it, undone");
            }
        }
        return stale.size();
    }

    private boolean namedByEvents(String reservation, String aggregateId, long sequenceAtReservation) {
        DomainEventStream stream = events.readEvents(aggregateId, sequenceAtReservation + 1);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (event.getMetaData().get(METADATA_KEY) instanceof String named
                    && List.of(named.split(",")).contains(reservation)) {
                return true;
            }
        }
        return false;
    }

    private int apply(String statement, String reservation) {
        Integer changed = ownTransaction.execute(tx -> own.update(statement, reservation));
        return changed == null ? 0 : changed;
    }

    @Override
    public void close() {
        pool.close();
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }
}
