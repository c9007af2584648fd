package com.catalytic.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

/** What happened to each delivery of one turn: when it was offered, when its work first started, how often. */
final class Tally {

    private final long[] offered;
    private final AtomicLongArray firstStart;
    private final AtomicIntegerArray starts;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger repeated = new AtomicInteger();
    private final AtomicLong lastDone = new AtomicLong();

    Tally(int size) {
        offered = new long[size];
        firstStart = new AtomicLongArray(size);
        starts = new AtomicIntegerArray(size);
    }

    /** Called by the producer just before it stores delivery {@code n}. */
    void offered(int n) {
        offered[n] = System.nanoTime();
    }

    void started(int n) {
        if (starts.incrementAndGet(n) == 1) {
            firstStart.set(n, System.nanoTime());
        }
    }

    /** @param first false when the delivery had already been worked on */
    void finished(boolean first) {
        if (!first) {
            repeated.incrementAndGet();
            return;
        }
        done.incrementAndGet();
        lastDone.set(System.nanoTime());
    }

    /** Waits until {@code count} deliveries are done; false if the timeout came first. */
    boolean await(int count, long timeoutSeconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (done.get() < count) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    int done() {
        return done.get();
    }

    long lastDone() {
        return lastDone.get();
    }

    /** Runs beyond the first of a delivery: by the start count, or by the bookkeeping finding the row done. */
    int duplicates() {
        int extra = 0;
        for (int n = 0; n < starts.length(); n++) {
            extra += Math.max(0, starts.get(n) - 1);
        }
        return Math.max(extra, repeated.get());
    }

    /** Offer to first start, in milliseconds, sorted, of the deliveries that started. */
    double[] delaysMillis() {
        return IntStream.range(0, offered.length).filter(n -> firstStart.get(n) != 0)
                .mapToDouble(n -> (firstStart.get(n) - offered[n]) / 1e6).sorted().toArray();
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
