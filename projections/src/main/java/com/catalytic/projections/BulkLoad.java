package com.catalytic.projections;

/**
 * A projection that can fill fresh tables of its own faster than it maintains live ones: a rebuild calls
 * {@link #startBulkLoad()} before replaying into empty tables and {@link #finishBulkLoad()} once the replay is done,
 * before anything else writes them; after that the projection writes as it does live (the rebuild's catch-up).
 */
public interface BulkLoad {

    void startBulkLoad();

    /** Leaves the tables exactly as the projection's live writes would have left them. */
    void finishBulkLoad();
}
