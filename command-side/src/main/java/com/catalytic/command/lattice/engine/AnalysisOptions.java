package com.catalytic.command.lattice.engine;

/**
 * @param maxScanVertices the largest lattice (n^d, obstacles included) a scan may walk
 * @param cancellation    polled during scans; null means {@link Cancellation#none()}
 */
public record AnalysisOptions(long maxScanVertices, Cancellation cancellation) {

    public AnalysisOptions {
        cancellation = cancellation == null ? Cancellation.none() : cancellation;
    }
}
