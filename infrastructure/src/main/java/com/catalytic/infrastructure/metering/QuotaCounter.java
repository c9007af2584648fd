package com.catalytic.infrastructure.metering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /** @param redis null for the embedded default: the ledger answers every check */
    /** @param gather how long increments are gathered before they are sent (calls against a finite quota excepted) */
    public QuotaCounter(QuotaLedger ledger, StringRedisTemplate redis, String prefix, Duration gather) {
        this.ledger = ledger;
        this.redis = redis;
        this.prefix = prefix;
        this.gatherNanos = gather.toNanos();
    }

    public long used(String tenantId, String period) {
        if (redis == null) {
            return durable(tenantId, period);
        }
        String key = key(tenantId, period);
        try {
            if (!staleKeys.contains(key)) {
                String cached = redis.opsForValue().get(key);
                if (cached != null) {
                    return Long.parseLong(cached);
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
        increments.merge(key(tenantId, period), n, Long::sum);
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
        }
    }

    @Override
    public void stop() {
        flushing = false;
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
