package com.catalytic.projections;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.function.Function;
import org.axonframework.serialization.SerializedType;

/**
 * How a projection fills its fresh, empty tables in a rebuild from the stored events themselves, in the database,
 * instead of having them replayed through its handlers: for the events that are most of a store and whose rows are a
 * plain function of their payload. It needs no bean of the projection, so a rebuild starts it before its context is
 * up; the projection's handlers (the replay of an older revision, the catch-up) write into the tables as it leaves
 * them, as they write live.
 */
public interface StoreLoad {

    /**
     * The payload types whose stored events, at their current revision, this loads (an older revision, which an
     * upcaster may change, is still replayed, once this load is done).
     */
    Set<Class<?>> payloadTypes();

    /**
     * Fills the projection's empty tables from the stored events of {@link #payloadTypes()} with positions up to
     * {@code last} and, for a point in time, time stamps up to {@code asOf} (the event store's own format; null: all),
     * leaving them exactly as the projection's live writes would have: keys, sums and all. Runs in the transaction
     * of {@code connection}, which sees the event store as the replay does, the rebuild's schema first in its search
     * path.
     *
     * @param stored how each payload type is stored (its name and revision in the event store)
     * @return the rows written
     */
    long load(Connection connection, Function<Class<?>, SerializedType> stored, long last, String asOf)
            throws SQLException;
}
