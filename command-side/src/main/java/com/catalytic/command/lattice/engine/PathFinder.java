package com.catalytic.command.lattice.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Shortest paths between two free vertices. Without obstacles the path is built axis by axis, O(d·n). With
 * obstacles two A* searches run in turns, one from each end towards the other: the first to reach its target
 * gives the path, and either running out of vertices proves the ends are apart, so an enclosed start or end costs
 * only its own pocket. Memory is bounded by {@link PathOptions#maxExplored()} vertices seen by both searches.
 */
public final class PathFinder {

    private static final int CHECK_EVERY = 4096;
    /** Keeps the search's g and priorities within their packed ranges; far beyond any heap we run with. */
    private static final long HARD_LIMIT = 1L << 30;

    private PathFinder() {
    }

    public static PathResult find(LatticeDefinition lattice, int[] start, int[] end, PathOptions options) {
        checkVertex(lattice, "start", start);
        checkVertex(lattice, "end", end);
        if (lattice.obstacleCount() == 0) {
            return direct(start, end, options.maxPathVertices());
        }
        return search(lattice, start, end, options);
    }

    private static void checkVertex(LatticeDefinition lattice, String field, int[] vertex) {
        if (vertex == null) {
            throw new LatticeInputException(field, field + " is required");
        }
        lattice.vertex(field, LatticeDefinition.toList(vertex));
    }

    private static PathResult direct(int[] start, int[] end, int maxPathVertices) {
        long length = SearchFrontier.manhattan(start, end);
        int limit = (int) Math.max(0, Math.min(maxPathVertices, length + 1));
        List<int[]> path = new ArrayList<>(limit);
        int[] current = start.clone();
        if (limit > 0) {
            path.add(current.clone());
        }
        for (int axis = 0; axis < start.length && path.size() < limit; axis++) {
            int step = Integer.signum(end[axis] - start[axis]);
            while (current[axis] != end[axis] && path.size() < limit) {
                current[axis] += step;
                path.add(current.clone());
            }
        }
        return new PathResult(true, length, path, path.size() < length + 1, length + 1, "direct");
    }

    private static PathResult search(LatticeDefinition lattice, int[] start, int[] end, PathOptions options) {
        long limit = Math.min(options.maxExplored(), HARD_LIMIT);
        SearchFrontier forward = new SearchFrontier(lattice, start, end);
        SearchFrontier backward = new SearchFrontier(lattice, end, start);
        long steps = 0;
        while (true) {
            if (++steps % CHECK_EVERY == 0) {
                options.cancellation().check();
            }
            SearchFrontier side = (steps & 1) == 1 ? forward : backward;
            side.step();
            long seen = (long) forward.seen() + backward.seen();
            if (side.reachedTarget()) {
                return found(side, side == forward, seen, options.maxPathVertices());
            }
            if (side.exhausted()) {
                return new PathResult(false, -1, List.of(), false, seen, "search");
            }
            if (seen > options.maxExplored() || seen > limit) {
                throw new SearchLimitExceededException(limit);
            }
        }
    }

    private static PathResult found(SearchFrontier side, boolean fromStart, long seen, int maxPathVertices) {
        long length = side.distance();
        int wanted = (int) Math.max(0, Math.min(maxPathVertices, length + 1));
        // the forward chain runs end → start, so all of it is needed to know the first vertices
        int[] chain = side.chainFromTarget(fromStart ? (int) (length + 1) : wanted);
        List<int[]> path = new ArrayList<>(wanted);
        for (int i = 0; i < wanted; i++) {
            path.add(side.vertex(fromStart ? chain[chain.length - 1 - i] : chain[i]));
        }
        return new PathResult(true, length, path, wanted < length + 1, seen, "search");
    }
}
