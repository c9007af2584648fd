package com.catalytic.command.lattice.engine;

/** A computation was stopped because its deadline passed or its thread was interrupted. */
public class ComputeCancelledException extends RuntimeException {

    public ComputeCancelledException() {
        super("computation cancelled");
    }

    public ComputeCancelledException(String message) {
        super(message);
    }
}
