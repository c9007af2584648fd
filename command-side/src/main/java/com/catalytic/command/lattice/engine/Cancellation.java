package com.catalytic.command.lattice.engine;

/** Polled by long computations so a time budget or an interrupt really stops the work and frees its thread. */
public interface Cancellation {

    /** @throws ComputeCancelledException when the deadline passed or the current thread is interrupted */
    void check();

    /** No deadline; an interrupt of the computing thread still stops the work. */
    static Cancellation none() {
        return () -> {
            if (Thread.currentThread().isInterrupted()) {
                throw new ComputeCancelledException("computation interrupted");
            }
        };
    }

    /** @param deadlineNanos a {@link System#nanoTime()} instant */
    static Cancellation deadline(long deadlineNanos) {
        return () -> {
            if (Thread.currentThread().isInterrupted()) {
                throw new ComputeCancelledException("computation interrupted");
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new ComputeCancelledException("computation deadline passed");
            }
        };
    }
}
