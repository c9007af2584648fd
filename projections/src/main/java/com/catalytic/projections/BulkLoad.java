package com.catalytic.projections;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.function.Function;
import org.axonframework.serialization.SerializedType;

/**
 * A projection that can fill fresh tables of its own faster than it maintains live ones: a rebuild calls
 * {@link #startBulkLoad()} before replaying into empty tables and {@link #finishBulkLoad()} once the replay is done,
 * before anything else writes them; after that the projection writes as it does live (the rebuild's catch-up).
 */
public interface BulkLoad {

    void startBulkLoad();

    /**
     * The payload types whose stored events, at their current revision, this projection loads itself with
     * {@link #loadFromStore}, in the database, instead of having them replayed (an older revision, which an upcaster
     * may change, is still replayed).
     */
    default Set<Class<?>> loadedFromStore() {
        return Set.of();
    }

    /**
     * Between {@link #startBulkLoad()} and {@link #finishBulkLoad()}, fills the tables from the stored events of
     * {@link #loadedFromStore()} with positions up to {@code last} and, for a point in time, time stamps up to
     * {@code asOf} (the event store's own format; null: all), all in the transaction of {@code connection}, which sees
     * the event store as the replay does.
     *
     * @param stored how each payload type is stored (its name and revision in the event store)
     * @return the rows written
     */
    default long loadFromStore(Connection connection, Function<Class<?>, SerializedType> stored, long last,
                               String asOf) throws SQLException {
        return 0;
    }

    /** Leaves the tables exactly as the projection's live writes would have left them. */
    void finishBulkLoad();
}
