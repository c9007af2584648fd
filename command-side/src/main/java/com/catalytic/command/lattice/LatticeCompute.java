package com.catalytic.command.lattice;

import com.catalytic.command.lattice.engine.Cancellation;
import com.catalytic.command.lattice.engine.ComputeCancelledException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs lattice computations off the request threads, on a fixed pool: at most {@code maxConcurrentPerTenant} of one
 * tenant at once (429 {@code compute_busy} beyond), each within a time budget counted from its submission. Past the
 * budget the caller gets 503 {@code compute_timeout} and the work is stopped: the engine polls the deadline through
 * its {@link Cancellation}, and the thread is interrupted as well. A tenant's slot is held until its worker has really
 * finished, so the cap counts work that runs, not requests that wait.
 */
public class LatticeCompute implements AutoCloseable {

    static final long RETRY_AFTER_SECONDS = 1;

    private final ThreadPoolExecutor pool;
    private final int maxPerTenant;
    private final Duration budget;
    private final Map<String, Integer> running = new ConcurrentHashMap<>();

    public LatticeCompute(int threads, int queueCapacity, int maxPerTenant, Duration budget) {
        AtomicInteger counter = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), task -> {
                    Thread t = new Thread(task, "lattice-compute-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.maxPerTenant = maxPerTenant;
        this.budget = budget;
    }

    public static LatticeCompute from(LatticeProperties settings) {
        return new LatticeCompute(settings.computeThreads(), settings.computeQueue(),
                settings.maxConcurrentPerTenant(), settings.computeTimeout());
    }

    /**
     * The result of {@code work} for {@code tenantId}; the engine's exceptions come back as problems
     * ({@link LatticeErrors}). {@code work} must poll the cancellation it is given.
     */
    public <T> T run(String tenantId, Function<Cancellation, T> work) {
        if (!enter(tenantId)) {
            throw LatticeErrors.busy("this tenant already runs " + maxPerTenant
                    + " computations at once; retry when one has finished", RETRY_AFTER_SECONDS);
        }
        long deadline = System.nanoTime() + budget.toNanos();
        Job<T> job = new Job<>(tenantId, () -> work.apply(Cancellation.deadline(deadline)));
        Future<T> future;
        try {
            future = pool.submit(job);
        } catch (RejectedExecutionException e) {
            job.abandon();
            throw LatticeErrors.busy("every compute thread is busy; retry shortly", RETRY_AFTER_SECONDS);
        }
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | CancellationException e) {
            stop(future, job);
            throw LatticeErrors.timeout(budget);
        } catch (InterruptedException e) {
            stop(future, job);
            Thread.currentThread().interrupt();
            throw LatticeErrors.timeout(budget);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ComputeCancelledException) {
                throw LatticeErrors.timeout(budget);
            }
            if (e.getCause() instanceof RuntimeException failure) {
                throw LatticeErrors.of(failure);
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Computations of {@code tenantId} holding a slot now (running, or queued for a thread). */
    public int runningFor(String tenantId) {
        return running.getOrDefault(tenantId, 0);
    }

    /** Threads computing now. */
    public int activeThreads() {
        return pool.getActiveCount();
    }

    /** Computations waiting for a thread. */
    int queued() {
        return pool.getQueue().size();
    }

    private <T> void stop(Future<T> future, Job<T> job) {
        future.cancel(true);
        if (future instanceof Runnable queuedTask) {
            pool.remove(queuedTask); // a cancelled task still waiting would hold a place in the queue
        }
        job.abandon();
    }

    private boolean enter(String tenantId) {
        AtomicBoolean entered = new AtomicBoolean();
        running.compute(tenantId, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerTenant) {
                return n;
            }
            entered.set(true);
            return now + 1;
        });
        return entered.get();
    }

    private void leave(String tenantId) {
        running.computeIfPresent(tenantId, (k, n) -> n <= 1 ? null : n - 1);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** Gives its tenant's slot back exactly once: when the work ends, or at once if it never started. */
    private final class Job<T> implements Callable<T> {

        private final String tenantId;
        private final Callable<T> work;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Job(String tenantId, Callable<T> work) {
            this.tenantId = tenantId;
            this.work = work;
        }

        @Override
        public T call() throws Exception {
            if (!claimed.compareAndSet(false, true)) {
                return null; // abandoned while it waited for a thread
            }
            try {
                return work.call();
            } finally {
                leave(tenantId);
            }
        }

        void abandon() {
            if (claimed.compareAndSet(false, true)) {
                leave(tenantId);
            }
        }
    }
}
