package com.catalytic.command.lattice.engine;

/** A path search would have to hold more vertices than allowed. */
public class SearchLimitExceededException extends RuntimeException {

    private final long limit;

    public SearchLimitExceededException(long limit) {
        super("the search explored more than " + limit + " vertices");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
