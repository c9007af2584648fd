package com.catalytic.infrastructure.queue;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The one durable work queue of the write side (e-mails, webhook deliveries): rows of a table that has
 * {@code id}, {@code next_attempt_at}, {@code claimed_by} and {@code claimed_until}, plus a condition saying which
 * rows are still pending. A dispatcher on every node claims due rows for a while (a node that dies mid-work hands
 * them on when the claim expires) and hands each to the {@link Worker}, which does the work and records the outcome
 * on the row (done, or the next attempt) and clears the claim. Work runs on a thread of its own, so a slow
 * provider never delays the node's other scheduled work. With worker threads, the claims of a round are extended
 * while its work goes on, so the claim can be short whatever the work takes.
 */
public final class DurableQueue implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DurableQueue.class);

    /**
     * Does the work of a round of claimed rows: {@link #round} may read what the whole round needs at once (the rows,
     * what they refer to) and returns the work of one row, which does it and records its outcome on the row.
     */
    @FunctionalInterface
    public interface Worker {
        RowWork round(List<String> ids);
    }

    /** The work of one claimed row of a round; true when it succeeded. */
    @FunctionalInterface
    public interface RowWork {
        boolean work(String id);
    }

    /** Rows deleted by one statement of {@link #prune}. */
    private static final int PRUNE_BATCH = 1000;

    private final String name;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String table;
    private final String pending;
    private final Duration claim;
    private final Duration interval;
    private final int batch;
    private final Worker worker;
    private final AtomicBoolean woken = new AtomicBoolean();
    private ScheduledExecutorService dispatcher;
    private ExecutorService pool;

    /**
     * @param pending  SQL condition of the rows still to be worked on (e.g. {@code sent_at IS NULL})
     * @param claim    how long a claim holds: longer than the work of a whole batch can take with one worker; with
     *                 several, longer than a third of it between two extensions
     * @param interval how often to look for due rows; zero: only when {@link #dispatch} is called
     */
    public DurableQueue(String name, JdbcTemplate jdbc, Clock clock, String table, String pending, Duration claim,
                        Duration interval, int batch, Worker worker) {
        this(name, jdbc, clock, table, pending, claim, interval, batch, 0, worker);
    }

    /**
     * @param workers how many rows of a batch are worked on at once (one slow endpoint does not hold up the rest),
     *                each on a worker thread; their claims are extended every third of {@code claim} while they
     *                work. Zero: one after the other on the thread that dispatches, the claim never extended.
     */
    public DurableQueue(String name, JdbcTemplate jdbc, Clock clock, String table, String pending, Duration claim,
                        Duration interval, int batch, int workers, Worker worker) {
        this.name = name;
        this.jdbc = jdbc;
        this.clock = clock;
        this.table = table;
        this.pending = pending;
        this.claim = claim;
        this.interval = interval;
        this.batch = batch;
        this.worker = worker;
        if (workers > 0) {
            AtomicInteger n = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, name + "-worker-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Works off what is due now (at most one batch); returns how many rows succeeded. */
    public int dispatch() {
        Instant now = clock.instant();
        Timestamp at = Timestamp.from(now);
        // a claim of its own per round: a row whose work failed stays claimed until it expires, not taken up again
        String claimant = UUID.randomUUID().toString();
        int claimed = jdbc.update("UPDATE " + table + " SET claimed_by = ?, claimed_until = ? WHERE id IN (SELECT id "
                + "FROM " + table + " WHERE " + pending + " AND next_attempt_at <= ? AND (claimed_until IS NULL OR "
                + "claimed_until < ?) ORDER BY next_attempt_at LIMIT " + batch + ") "
                // checked again on the row itself: of two nodes claiming at once, the second finds it claimed
                + "AND " + pending + " AND (claimed_until IS NULL OR claimed_until < ?)",
                claimant, Timestamp.from(now.plus(claim)), at, at, at);
        if (claimed == 0) {
            return 0;
        }
        List<String> ids = jdbc.queryForList("SELECT id FROM " + table + " WHERE claimed_by = ? AND " + pending
                + " ORDER BY next_attempt_at", String.class, claimant);
        RowWork round = worker.round(ids);
        if (pool == null) {
            int done = 0;
            for (String id : ids) {
                done += work(round, id) ? 1 : 0;
            }
            return done;
        }
        List<Future<Boolean>> running = ids.stream().map(id -> pool.submit(() -> work(round, id))).toList();
        int done = 0;
        // by the time since the last extension, not per row: rows finishing one after the other just within a beat
        // must not keep the claims from being extended
        long beat = claim.toNanos() / 3;
        long nextBeat = System.nanoTime() + beat;
        for (Future<Boolean> f : running) {
            while (true) {
                try {
                    long wait = nextBeat - System.nanoTime();
                    if (wait <= 0) {
                        extend(claimant);
                        nextBeat = System.nanoTime() + beat;
                        continue;
                    }
                    done += f.get(wait, TimeUnit.NANOSECONDS) ? 1 : 0;
                    break;
                } catch (TimeoutException stillWorking) {
                    // extended at the top of the loop
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return done;
                } catch (ExecutionException e) {
                    log.warn("{}: work failed: {}", name, e.getCause().toString());
                    break;
                }
            }
        }
        return done;
    }

    /**
     * The round's rows still pending are claimed for another {@code claim} from now: a claim need only outlast the
     * time between two of these, not the longest a round can take, so the rows of a node that died are taken up
     * soon after.
     */
    private void extend(String claimant) {
        try {
            jdbc.update("UPDATE " + table + " SET claimed_until = ? WHERE claimed_by = ? AND " + pending,
                    Timestamp.from(clock.instant().plus(claim)), claimant);
        } catch (RuntimeException e) {
            log.warn("{}: claims not extended: {}", name, e.toString());
        }
    }

    private boolean work(RowWork round, String id) {
        try {
            return round.work(id);
        } catch (RuntimeException e) {
            // the claim expires and another round tries again
            log.warn("{}: work on {} failed: {}", name, id, e.toString());
            return false;
        }
    }

    /** Something became due now on this node: look at once instead of at the next interval. */
    public void wake() {
        ScheduledExecutorService d;
        synchronized (this) {
            d = dispatcher;
        }
        if (d != null && woken.compareAndSet(false, true)) {
            try {
                d.execute(() -> {
                    woken.set(false);
                    drain();
                });
            } catch (RejectedExecutionException stopping) {
                woken.set(false);
            }
        }
    }

    private void drain() {
        try {
            while (dispatch() > 0 && !Thread.currentThread().isInterrupted()) {
                // a full batch may leave more due: go on at once
            }
        } catch (RuntimeException e) {
            log.warn("{} dispatch failed: {}", name, e.toString());
        }
    }

    /** Rows pending and due now (the queue's depth, for metrics). */
    public long due() {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM " + table + " WHERE " + pending
                + " AND next_attempt_at <= ?", Long.class, Timestamp.from(clock.instant()));
        return n == null ? 0 : n;
    }

    /** {@link #prune(String, Instant, String, String...)} of a table no other table refers to. */
    public int prune(String doneAt, Instant cutoff) {
        return prune(doneAt, cutoff, null);
    }

    /**
     * Deletes the rows no longer pending whose {@code doneAt} (an SQL expression of the row: when it was done) is
     * before {@code cutoff}, a thousand at a time, and before them their rows in {@code children} (tables whose
     * {@code childColumn} holds this table's id). Returns how many rows of this table were deleted.
     */
    public int prune(String doneAt, Instant cutoff, String childColumn, String... children) {
        Timestamp before = Timestamp.from(cutoff);
        int deleted = 0;
        while (true) {
            List<String> ids = jdbc.queryForList("SELECT id FROM " + table + " WHERE NOT (" + pending + ") AND "
                    + doneAt + " < ? LIMIT " + PRUNE_BATCH, String.class, before);
            if (ids.isEmpty()) {
                return deleted;
            }
            String in = String.join(",", Collections.nCopies(ids.size(), "?"));
            for (String child : children) {
                jdbc.update("DELETE FROM " + child + " WHERE " + childColumn + " IN (" + in + ")", ids.toArray());
            }
            deleted += jdbc.update("DELETE FROM " + table + " WHERE id IN (" + in + ")", ids.toArray());
            if (ids.size() < PRUNE_BATCH) {
                return deleted;
            }
        }
    }

    @Override
    public synchronized void start() {
        if (interval.isZero() || dispatcher != null) {
            return;
        }
        dispatcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-dispatch");
            t.setDaemon(true);
            return t;
        });
        dispatcher.scheduleWithFixedDelay(this::drain, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (dispatcher != null) {
            dispatcher.shutdown();
            try {
                dispatcher.awaitTermination(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            dispatcher = null;
        }
    }

    /** Stops the workers too (the queue is not started again). */
    public synchronized void close() {
        stop();
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return dispatcher != null;
    }
}
