package com.catalytic.infrastructure.store;

import java.time.Duration;

/**
 * The small, shared, expiring key-value store behind rate counters and the revocation fast path: Redis in
 * production, an in-process map in the embedded default. Every method may throw {@link StoreUnavailable}.
 */
public interface KeyValueStore {

    /** Increments a counter that lives for {@code window} from its first increment; answers the new count and TTL. */
    Counter increment(String key, Duration window);

    /** Takes one back from a live counter: never below zero, never creating a counter or changing its expiry. */
    void decrement(String key);

    /** The current count of a counter (0 when absent). */
    Counter peek(String key);

    void put(String key, String value, Duration ttl);

    boolean exists(String key);

    void delete(String key);

    boolean isShared();

    record Counter(long count, long ttlSeconds) {
    }

    class StoreUnavailable extends RuntimeException {
        public StoreUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
