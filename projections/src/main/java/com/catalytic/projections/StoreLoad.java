package com.catalytic.projections;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * How a projection fills its fresh, empty tables in a rebuild from the stored events themselves, in bulk on
 * connections of its own, instead of having them replayed through its handlers: for the events that are most of a
 * store and whose rows are a plain function of their payload. It needs no bean of the projection, so a rebuild starts
 * it before its context is up; the projection's handlers (the replay of an older revision, the catch-up) write into
 * the tables as it leaves them, as they write live.
 *
 * <p>Three steps, each in a transaction of the caller's, with the rebuild's schema first in the search path:
 * {@link #prepare}, then {@link #insert} (once, or in parts on several connections at once), then, once every insert
 * has committed, {@link #finish}, which leaves the tables exactly as the projection's live writes would have: keys,
 * sums and all. Their non-unique indexes are the caller's: it builds them after the inserts, possibly while
 * {@link #finish} runs on another connection.
 */
public interface StoreLoad {

    /**
     * The payload types whose stored events, at their current revision, this loads (an older revision, which an
     * upcaster may change, is still replayed, once this load is done).
     */
    Set<Class<?>> payloadTypes();

    /** Readies the empty tables for the inserts (takes off what slows them, such as keys). */
    void prepare(Connection connection) throws SQLException;

    /**
     * Inserts the rows of the stored events of {@link #payloadTypes()} with positions in ({@code after},
     * {@code upTo}] and, for a point in time, time stamps up to {@code asOf} (the event store's own format; null:
     * all). Runs in a transaction that sees the event store as the replay does; other parts of the range may be
     * inserted on other connections at the same time.
     *
     * @param stored how the event store keeps payloads (each type's name and revision, and its JSON)
     * @return the rows inserted
     */
    long insert(Connection connection, StoredPayloads stored, long after, long upTo, String asOf) throws SQLException;

    /**
     * Puts back what {@link #prepare} took off and derives what the live writes keep beside the rows, over every
     * row inserted; only takes locks that let the caller build the tables' non-unique indexes at the same time.
     *
     * @return the rows it removed (a row inserted twice keeps one copy, as the live writes keep one)
     */
    long finish(Connection connection) throws SQLException;

    /** The three steps in one transaction, on one connection; returns the rows the tables hold. */
    default long load(Connection connection, StoredPayloads stored, long upTo, String asOf) throws SQLException {
        prepare(connection);
        long rows = insert(connection, stored, Long.MIN_VALUE, upTo, asOf);
        return rows - finish(connection);
    }
}
