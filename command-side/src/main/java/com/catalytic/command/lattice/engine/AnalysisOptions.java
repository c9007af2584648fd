package com.catalytic.command.lattice.engine;

/** @param maxScanVertices the largest lattice (n^d, obstacles included) a scan may walk */
public record AnalysisOptions(long maxScanVertices, Cancellation cancellation) {
}
