package com.catalytic.infrastructure.metering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * How many calls a tenant has used this month, for the admission check of every metered request. The ledger in the
 * database is the truth, plus the calls this node has made durable in its usage journal but not shipped to the
 * ledger yet; Redis (when configured) counts for all nodes: it is advanced as soon as calls are durable, and
 * re-read from the ledger when missing, stale for more than a minute, or after Redis was unreachable.
 *
 * <p>Besides the exact read ({@link #used}), a node keeps a <em>view</em> of each busy tenant's shared count: the
 * value last read from Redis, plus this node's own calls counted since. A background thread re-reads every view in
 * use each {@code viewRefresh} (one MGET for all of them), so a call far from its quota is decided without a round
 * trip ({@link #recent}); a view older than {@code viewMaxAge} is not answered, and the caller reads the shared count
 * instead.
 */
public class QuotaCounter implements SmartLifecycle {

    /** INCRBY only keys that exist: a missing key is re-read from the ledger rather than started from zero. */
    private static final RedisScript<Long> INCR_IF_EXISTS = new DefaultRedisScript<>("""
            for i, k in ipairs(KEYS) do
              if redis.call('EXISTS', k) == 1 then redis.call('INCRBY', k, ARGV[i]) end
            end
            return #KEYS
            """, Long.class);
    private static final Duration CACHE_TTL = Duration.ofSeconds(60);

    private final QuotaLedger ledger;
    private final StringRedisTemplate redis;
    private final String prefix;
    private final Set<String> staleKeys = ConcurrentHashMap.newKeySet();
    /** Calls of this node durable in its journal, not yet in the ledger, per tenant and period. */
    private final Map<String, Long> unshipped = new ConcurrentHashMap<>();
    private final Map<String, Long> increments = new ConcurrentHashMap<>();
    private final long gatherNanos;
    private volatile boolean flushing;
    /** The flusher waits for the first increment (rather than gathering): only then does a new one wake it. */
    private volatile boolean idle;
    private volatile Thread flusher;
    private volatile long lastFailureNanos = System.nanoTime() - 3_600_000_000_000L;
    /** Views of the shared count per key (tenant and period), kept fresh while calls ask for them. */
    private final Map<String, View> views = new ConcurrentHashMap<>();
    private final long viewRefreshNanos;
    private final long viewMaxAgeNanos;
    private volatile Thread viewRefresher;

    /**
     * The shared count as last read ({@code base}, at {@code readNanos}) and this node's calls counted since
     * ({@code since}); {@code lastAskedNanos}: when a call last asked, so that idle views are dropped.
     */
    private static final class View {
        volatile long base;
        volatile long readNanos;
        volatile long lastAskedNanos;
        final AtomicLong since = new AtomicLong();

        View(long base, long readNanos) {
            this.base = base;
            this.readNanos = readNanos;
            this.lastAskedNanos = readNanos;
        }
    }

    /** The oldest view {@link #recent} answers with (admission's slack is computed from it). */
    public static final Duration VIEW_MAX_AGE = Duration.ofSeconds(1);

    /** @param redis null for the embedded default: the ledger answers every check */
    /** @param gather how long increments are gathered before they are sent (calls against a finite quota excepted) */
    public QuotaCounter(QuotaLedger ledger, StringRedisTemplate redis, String prefix, Duration gather) {
        this(ledger, redis, prefix, gather, Duration.ofMillis(250), VIEW_MAX_AGE);
    }

    /**
     * @param viewRefresh how often the views in use are re-read from Redis
     * @param viewMaxAge the oldest view {@link #recent} answers with (at most {@link #VIEW_MAX_AGE})
     */
    public QuotaCounter(QuotaLedger ledger, StringRedisTemplate redis, String prefix, Duration gather,
                        Duration viewRefresh, Duration viewMaxAge) {
        this.ledger = ledger;
        this.redis = redis;
        this.prefix = prefix;
        this.gatherNanos = gather.toNanos();
        this.viewRefreshNanos = viewRefresh.toNanos();
        this.viewMaxAgeNanos = viewMaxAge.toNanos();
    }

    /**
     * The tenant's calls this period as this node's view has them — read from the shared count at most
     * {@code viewMaxAge} ago, plus this node's calls counted since — or null when there is no such view (no Redis,
     * Redis unreliable, the view too old or not made yet: ask {@link #used}). Calls that other nodes made durable
     * since the view was read, and calls still on their way to being counted, are not in it.
     */
    public Long recent(String tenantId, String period) {
        if (redis == null || viewRefresher == null || degraded()) {
            return null;
        }
        View v = views.get(key(tenantId, period));
        if (v == null) {
            return null;
        }
        long now = System.nanoTime();
        v.lastAskedNanos = now;
        if (now - v.readNanos > viewMaxAgeNanos) {
            return null;
        }
        // since before base: a refresh writes base, then takes what it read out of since, so this never pairs an
        // old base with a reduced since (the view may err high, never low)
        long since = v.since.get();
        return v.base + since;
    }

    public long used(String tenantId, String period) {
        if (redis == null) {
            return durable(tenantId, period);
        }
        String key = key(tenantId, period);
        try {
            if (!staleKeys.contains(key)) {
                long readAt = System.nanoTime();
                String cached = redis.opsForValue().get(key);
                if (cached != null) {
                    long used = Long.parseLong(cached);
                    seed(key, used, readAt);
                    return used;
                }
                long used = durable(tenantId, period);
                redis.opsForValue().setIfAbsent(key, Long.toString(used), CACHE_TTL);
                return used;
            }
        } catch (RuntimeException redisDown) {
            failed(key);
        }
        return durable(tenantId, period);
    }

    /** The ledger plus this node's calls on their way to it. */
    private long durable(String tenantId, String period) {
        return ledger.used(tenantId, period) + unshipped.getOrDefault(tenantId + "/" + period, 0L);
    }

    /**
     * Whether the shared count may be behind: Redis failed within the last few seconds (or a stale key awaits its
     * resync). Calls admitted against a finite quota are then written to the ledger before they are answered, so
     * the ledger alone keeps every node's count exact.
     */
    public boolean degraded() {
        return redis != null && (!staleKeys.isEmpty() || System.nanoTime() - lastFailureNanos < 5_000_000_000L);
    }

    /** Calls made durable in this node's journal: counted for all nodes now, shipped to the ledger later. */
    public void logged(String tenantId, String period, long n) {
        unshipped.merge(tenantId + "/" + period, n, Long::sum);
        added(tenantId, period, n);
    }

    /** Calls of this node's journal now committed to the ledger. */
    public void shipped(String tenantId, String period, long n) {
        unshipped.computeIfPresent(tenantId + "/" + period, (k, pending) -> pending - n <= 0 ? null : pending - n);
    }

    /**
     * After calls became durable: advance the shared count. The increments of all calls made durable meanwhile go to
     * Redis together, in one round trip at most every {@code gather} (until then they count as in flight); the
     * journal sends them at once ({@link #flushIncrements()}) for calls against a finite quota.
     */
    public void added(String tenantId, String period, long n) {
        if (redis == null) {
            return;
        }
        String key = key(tenantId, period);
        View v = views.get(key);
        if (v != null) {
            v.since.addAndGet(n);
        }
        increments.merge(key, n, Long::sum);
        Thread t = flusher;
        if (t == null) {
            flushIncrements();
        } else if (idle) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Sends the increments gathered so far, now (one at a time: when this returns, every increment handed in before
     * the call is in Redis or its key marked stale); keys Redis did not take are dropped once it answers again.
     */
    public synchronized void flushIncrements() {
        if (increments.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>();
        List<String> amounts = new ArrayList<>();
        for (String key : List.copyOf(increments.keySet())) {
            Long n = increments.remove(key);
            if (n != null) {
                keys.add(key);
                amounts.add(Long.toString(n));
            }
        }
        try {
            redis.execute(INCR_IF_EXISTS, keys, amounts.toArray());
        } catch (RuntimeException redisDown) {
            keys.forEach(this::failed);
        }
    }

    private void runFlusher() {
        while (flushing) {
            if (increments.isEmpty()) {
                idle = true;
                if (increments.isEmpty()) {
                    LockSupport.parkNanos(100_000_000L);
                }
                idle = false;
            }
            // gather before the next round trip: calls against a finite quota do not wait for this (the journal
            // flushes their increments itself before answering them), so these are the others' counts
            long until = System.nanoTime() + gatherNanos;
            for (long left = gatherNanos; left > 0 && flushing; left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            try {
                flushIncrements();
            } catch (RuntimeException e) {
                // failed() has marked the keys; the next resync re-reads them from the ledger
            }
        }
        flushIncrements();
    }

    @Override
    public void start() {
        if (redis != null) {
            flushing = true;
            flusher = new Thread(this::runFlusher, "quota-counter");
            flusher.setDaemon(true);
            flusher.start();
            Thread refresher = new Thread(this::runViewRefresher, "quota-views");
            refresher.setDaemon(true);
            viewRefresher = refresher;
            refresher.start();
        }
    }

    @Override
    public void stop() {
        flushing = false;
        Thread r = viewRefresher;
        viewRefresher = null;
        if (r != null) {
            LockSupport.unpark(r);
        }
        views.clear();
        Thread t = flusher;
        flusher = null;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return flushing;
    }

    /** Runs while the usage journal runs (it stops first, and its last calls are still counted). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 8192;
    }

    /** A view starts from an exact read; a fresher view already there is kept. */
    private void seed(String key, long used, long readAt) {
        if (viewRefresher == null) {
            return;
        }
        views.compute(key, (k, v) -> {
            if (v == null) {
                return new View(used, readAt);
            }
            if (readAt - v.readNanos > 0) {
                v.base = used;
                v.since.set(0);
                v.readNanos = readAt;
            }
            return v;
        });
    }

    private void runViewRefresher() {
        while (viewRefresher == Thread.currentThread()) {
            LockSupport.parkNanos(viewRefreshNanos);
            try {
                refreshViews();
            } catch (RuntimeException redisDown) {
                // the views age past viewMaxAge and calls read the shared count (which marks Redis as failed)
            }
        }
    }

    /**
     * Re-reads every view asked for lately in one MGET; views idle for a minute, and views whose key is gone from
     * Redis (expired, or dropped as stale), are forgotten: the next call reads the shared count.
     */
    void refreshViews() {
        long now = System.nanoTime();
        views.values().removeIf(v -> now - v.lastAskedNanos > 60_000_000_000L);
        if (views.isEmpty()) {
            return;
        }
        List<String> keys = List.copyOf(views.keySet());
        // counted before the read: a call counted while it runs lands in both the read value and since, and is
        // counted twice (a view errs high, never low)
        Map<String, Long> sinceBefore = new HashMap<>();
        for (String k : keys) {
            View v = views.get(k);
            if (v != null) {
                sinceBefore.put(k, v.since.get());
            }
        }
        long readAt = System.nanoTime();
        List<String> values = redis.opsForValue().multiGet(keys);
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            String value = values == null ? null : values.get(i);
            if (value == null || staleKeys.contains(k)) {
                views.remove(k);
                continue;
            }
            long read = Long.parseLong(value);
            long counted = sinceBefore.getOrDefault(k, 0L);
            views.computeIfPresent(k, (key, v) -> {
                v.base = read;
                v.since.addAndGet(-counted);
                v.readNanos = readAt;
                return v;
            });
        }
    }

    @Scheduled(fixedDelayString = "${catalytic.metering.quota-resync-interval:1000}")
    public void dropStaleKeys() {
        if (redis == null || staleKeys.isEmpty()) {
            return;
        }
        try {
            for (String key : List.copyOf(staleKeys)) {
                redis.delete(key);
                staleKeys.remove(key);
            }
        } catch (RuntimeException stillDown) {
            // next time
        }
    }

    private void failed(String key) {
        staleKeys.add(key);
        lastFailureNanos = System.nanoTime();
    }

    private String key(String tenantId, String period) {
        return prefix + "quota:" + tenantId + ":" + period;
    }
}
