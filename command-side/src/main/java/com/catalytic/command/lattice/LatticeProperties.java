package com.catalytic.command.lattice;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of lattice computations, bound from {@code catalytic.lattices.*}.
 *
 * @param computeThreads          threads computing at once on this node (default: one per processor)
 * @param computeQueue            computations waiting for a thread at most; beyond it 429 {@code compute_busy}
 * @param maxConcurrentPerTenant  computations of one tenant at once on this node; beyond it 429 {@code compute_busy}
 * @param computeTimeout          time budget of one computation, waiting included; beyond it 503 {@code compute_timeout}
 * @param maxPathVertices         vertices of a path returned at most (the length is always the whole path's)
 * @param maxSearchVertices       vertices a path search may explore; beyond it 422 {@code search_limit}
 * @param maxScanVertices         vertices an analysis may scan; beyond it 422 {@code too_large_to_analyze}
 * @param definitionCacheBytes    what the node's cache of lattice definitions may hold, by their memory bytes
 * @param snapshotThreshold       events of a lattice between snapshots
 */
@ConfigurationProperties("catalytic.lattices")
record LatticeProperties(int computeThreads, int computeQueue, int maxConcurrentPerTenant,
                                Duration computeTimeout, int maxPathVertices, long maxSearchVertices,
                                long maxScanVertices, long definitionCacheBytes, int snapshotThreshold) {

    public LatticeProperties {
        computeThreads = computeThreads <= 0 ? Runtime.getRuntime().availableProcessors() : computeThreads;
        computeQueue = computeQueue <= 0 ? 64 : computeQueue;
        maxConcurrentPerTenant = maxConcurrentPerTenant <= 0 ? 2 : maxConcurrentPerTenant;
        computeTimeout = computeTimeout == null || computeTimeout.isNegative() || computeTimeout.isZero()
                ? Duration.ofSeconds(10) : computeTimeout;
        maxPathVertices = maxPathVertices <= 0 ? 10_000 : maxPathVertices;
        maxSearchVertices = maxSearchVertices <= 0 ? 2_000_000 : maxSearchVertices;
        maxScanVertices = maxScanVertices <= 0 ? 1_000_000 : maxScanVertices;
        definitionCacheBytes = definitionCacheBytes <= 0 ? 64L * 1024 * 1024 : definitionCacheBytes;
        snapshotThreshold = snapshotThreshold <= 0 ? 100 : snapshotThreshold;
    }

    /** Every setting at its default. */
    public static LatticeProperties defaults() {
        return new LatticeProperties(0, 0, 0, null, 0, 0, 0, 0, 0);
    }
}
