package com.catalytic.infrastructure.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-process {@link KeyValueStore}: the embedded default, and the per-node fallback when Redis is down. */
public class InMemoryKeyValueStore implements KeyValueStore {

    private record Entry(String value, long count, long expiresAtMillis) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemoryKeyValueStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Counter increment(String key, Duration window) {
        long now = clock.millis();
        Entry e = entries.compute(key, (k, old) -> old == null || old.expiresAtMillis <= now
                ? new Entry(null, 1, now + window.toMillis())
                : new Entry(null, old.count + 1, old.expiresAtMillis));
        return new Counter(e.count, ttlSeconds(e, now));
    }

    @Override
    public void decrement(String key) {
        long now = clock.millis();
        entries.computeIfPresent(key, (k, old) -> old.expiresAtMillis <= now ? null
                : new Entry(old.value, Math.max(0, old.count - 1), old.expiresAtMillis));
    }

    @Override
    public Counter peek(String key) {
        long now = clock.millis();
        Entry e = live(key, now);
        return e == null ? new Counter(0, 0) : new Counter(e.count, ttlSeconds(e, now));
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        entries.put(key, new Entry(value, 0, clock.millis() + ttl.toMillis()));
        if (entries.size() > 100_000) {
            long now = clock.millis();
            entries.values().removeIf(e -> e.expiresAtMillis <= now);
        }
    }

    @Override
    public boolean exists(String key) {
        return live(key, clock.millis()) != null;
    }

    @Override
    public void delete(String key) {
        entries.remove(key);
    }

    @Override
    public boolean isShared() {
        return false;
    }

    private Entry live(String key, long now) {
        Entry e = entries.get(key);
        if (e != null && e.expiresAtMillis <= now) {
            entries.remove(key, e);
            return null;
        }
        return e;
    }

    private static long ttlSeconds(Entry e, long now) {
        return Math.max(1, (e.expiresAtMillis - now + 999) / 1000);
    }
}
