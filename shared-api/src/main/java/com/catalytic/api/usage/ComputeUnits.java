package com.catalytic.api.usage;

/**
 * Compute units, what a lattice operation costs beyond the call itself, and the request attribute through which the
 * handler that spent them hands the count (a {@code Long}) to metering, which sits in another module.
 */
public final class ComputeUnits {

    /** Request attribute read by the metering filter into the call's usage record. */
    public static final String REQUEST_ATTRIBUTE = "catalytic.usage.units";
    /** A search or scan costs one more unit per this many vertices explored. */
    public static final long VERTICES_PER_UNIT = 10_000;

    private ComputeUnits() {
    }

    /** A closed-form or direct answer. */
    public static long direct() {
        return 1;
    }

    /** A search or scan that looked at {@code verticesExplored} vertices. */
    public static long search(long verticesExplored) {
        return 1 + Math.max(0, verticesExplored) / VERTICES_PER_UNIT;
    }
}
