package com.catalytic.command.lattice.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Shortest paths between two free vertices of a lattice. */
public final class PathFinder {

    private PathFinder() {
    }

    public static PathResult find(LatticeDefinition lattice, int[] start, int[] end, PathOptions options) {
        lattice.vertex("start", LatticeDefinition.toList(start));
        lattice.vertex("end", LatticeDefinition.toList(end));
        if (lattice.obstacleCount() == 0) {
            return direct(start, end, options);
        }
        return search(lattice, start, end, options);
    }

    private static PathResult direct(int[] start, int[] end, PathOptions options) {
        long length = 0;
        for (int axis = 0; axis < start.length; axis++) {
            length += Math.abs(end[axis] - start[axis]);
        }
        List<int[]> path = new ArrayList<>();
        int[] current = start.clone();
        path.add(current.clone());
        for (int axis = 0; axis < start.length && path.size() < options.maxPathVertices(); axis++) {
            int step = Integer.signum(end[axis] - start[axis]);
            while (current[axis] != end[axis] && path.size() < options.maxPathVertices()) {
                current[axis] += step;
                path.add(current.clone());
            }
        }
        boolean truncated = path.size() < length + 1;
        return new PathResult(true, length, path, truncated, Math.min(length + 1, path.size()), "direct");
    }

    private static PathResult search(LatticeDefinition lattice, int[] start, int[] end, PathOptions options) {
        int size = lattice.size();
        Map<List<Integer>, List<Integer>> parent = new HashMap<>();
        List<Integer> startKey = LatticeDefinition.toList(start);
        List<Integer> endKey = LatticeDefinition.toList(end);
        parent.put(startKey, startKey);
        ArrayDeque<int[]> queue = new ArrayDeque<>();
        queue.add(start.clone());
        long explored = 0;
        while (!queue.isEmpty()) {
            int[] current = queue.poll();
            if (++explored % 4096 == 0) {
                options.cancellation().check();
            }
            List<Integer> currentKey = LatticeDefinition.toList(current);
            if (currentKey.equals(endKey)) {
                return found(parent, startKey, endKey, explored, options);
            }
            for (int axis = 0; axis < current.length; axis++) {
                for (int step = -1; step <= 1; step += 2) {
                    int moved = current[axis] + step;
                    if (moved < 0 || moved >= size) {
                        continue;
                    }
                    int[] next = current.clone();
                    next[axis] = moved;
                    List<Integer> nextKey = LatticeDefinition.toList(next);
                    if (parent.containsKey(nextKey) || lattice.isBlocked(next)) {
                        continue;
                    }
                    if (parent.size() >= options.maxExplored()) {
                        throw new SearchLimitExceededException(options.maxExplored());
                    }
                    parent.put(nextKey, currentKey);
                    queue.add(next);
                }
            }
        }
        return new PathResult(false, -1, List.of(), false, explored, "search");
    }

    private static PathResult found(Map<List<Integer>, List<Integer>> parent, List<Integer> startKey,
                                    List<Integer> endKey, long explored, PathOptions options) {
        List<int[]> reversed = new ArrayList<>();
        List<Integer> key = endKey;
        while (true) {
            reversed.add(LatticeDefinition.toArray(key));
            if (key.equals(startKey)) {
                break;
            }
            key = parent.get(key);
        }
        Collections.reverse(reversed);
        long length = reversed.size() - 1;
        boolean truncated = reversed.size() > options.maxPathVertices();
        List<int[]> path = truncated ? new ArrayList<>(reversed.subList(0, options.maxPathVertices())) : reversed;
        return new PathResult(true, length, path, truncated, explored, "search");
    }
}
