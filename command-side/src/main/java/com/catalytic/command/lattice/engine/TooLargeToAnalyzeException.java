package com.catalytic.command.lattice.engine;

/** An analysis that needs a scan of every vertex was asked of a lattice with more vertices than allowed. */
public class TooLargeToAnalyzeException extends RuntimeException {

    private final long limit;

    public TooLargeToAnalyzeException(long limit) {
        super("the lattice has more than " + limit + " vertices to scan");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
