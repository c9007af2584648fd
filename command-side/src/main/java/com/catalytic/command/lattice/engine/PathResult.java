package com.catalytic.command.lattice.engine;

import java.util.List;

/**
 * @param length   edges on the shortest path, -1 when unreachable
 * @param path     the first vertices of the path (all of them unless {@code truncated})
 * @param method   {@code direct} (constructed, no search) or {@code search}
 */
public record PathResult(boolean reachable, long length, List<int[]> path, boolean truncated,
                         long verticesExplored, String method) {
}
