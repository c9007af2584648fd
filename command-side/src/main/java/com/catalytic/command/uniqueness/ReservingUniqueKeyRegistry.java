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
 * transaction. A claim is reserved in a transaction of its own before the command's events are appended and
 * confirmed after they are; a release is marked before and done after. Every event the command appends names its
 * reservations in its metadata ({@value #METADATA_KEY}), so a failed command's reservations, and the pending rows of
 * a node that died in between ({@link #settle()}), are decided from the events alone: the reservation's id among
 * the events its aggregate appended after the reservation, and the change goes through; absent, it is undone.
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
        follow(command, reservation, Pending.RESERVED, aggregateId, sequence);
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
            follow(command, reservation, Pending.RELEASING, aggregateId, sequence);
        }
    }

    /**
     * The command's events name the reservation; its change is done once they are stored. When the command fails
     * (a nested command failing inside a command that goes on counts as failed), the events decide once its
     * transaction is over, as the settler would: a commit can fail after the store took the events (Axon Server's
     * append answering too late, say), and then the change still goes through. If the store cannot be read, the
     * reservation is left pending for the settler.
     */
    private void follow(UnitOfWork<?> command, String reservation, Pending pending, String aggregateId,
                        long sequence) {
        UnitOfWork<?> root = command.root();
        root.<List<String>>getOrComputeResource(RESOURCE, k -> new ArrayList<>()).add(reservation);
        AtomicBoolean failed = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        Runnable fail = () -> {
            failed.set(true);
            root.<List<String>>getResource(RESOURCE).remove(reservation);
        };
        command.onRollback(u -> fail.run());
        if (root != command) {
            root.onRollback(u -> fail.run());
        }
        root.afterCommit(u -> {
            if (!failed.get() && finished.compareAndSet(false, true) && apply(pending.done, reservation) == 0) {
                log.error("Unique claim reservation {} was settled as failed before its command's events were "
                        + "stored: its command took longer than catalytic.unique-claims.settle-after ({})",
                        reservation, settleAfter);
            }
        });
        command.onCleanup(u -> {
            if (failed.get() && finished.compareAndSet(false, true)
                    && "done".equals(settle(reservation, pending, aggregateId, sequence))) {
                log.warn("Unique claim reservation {} ({}) of aggregate {}: its command failed after its events "
                        + "were stored, done", reservation, pending, aggregateId);
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
            String reservation = (String) row.get("reservation_id");
            Pending pending = Pending.valueOf((String) row.get("state"));
            String aggregate = (String) row.get("aggregate_id");
            String outcome = settle(reservation, pending, aggregate, ((Number) row.get("aggregate_sequence"))
                    .longValue());
            if (outcome != null) {
                log.warn("Unique claim reservation {} ({}) of aggregate {} left by a node that stopped: {}",
                        reservation, pending, aggregate, outcome.equals("done") ? "its command's events were "
                                + "stored, done" : "no event names it, undone");
            }
        }
        return stale.size();
    }

    /**
     * Done when an event the aggregate appended after the reservation names it, undone when none does.
     *
     * @return what was applied ({@code done}, {@code undone}), or null: nothing (settled already, or the events
     *         cannot be read now: left pending)
     */
    private String settle(String reservation, Pending pending, String aggregateId, long sequence) {
        boolean stored;
        try {
            stored = namedByEvents(reservation, aggregateId, sequence);
        } catch (RuntimeException unreadable) {
            log.warn("Unique claim reservation {} ({}) of aggregate {} left pending: its events cannot be read now",
                    reservation, pending, aggregateId, unreadable);
            return null;
        }
        return apply(stored ? pending.done : pending.undo, reservation) == 0 ? null : stored ? "done" : "undone";
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
