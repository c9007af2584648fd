package com.catalytic.command.lattice.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A d-dimensional grid of {@code size} points per side (open boundaries) with blocked vertices; immutable.
 * Holds only d, n and the obstacles as a hashed set of packed coordinate keys, never the n^d vertices.
 */
public final class LatticeDefinition {

    /** Far above any plan; keeps n^d and the closed forms cheap whatever a caller sends. */
    static final int MAX_DIMENSIONS = 1024;

    private final int dimensions;
    private final int size;
    private final CoordinatePacking packing;
    private final PackedKeySet obstacles;
    private final BigInteger vertexCount;
    private final BigInteger edgeCount;

    private LatticeDefinition(int dimensions, int size, CoordinatePacking packing, PackedKeySet obstacles) {
        this.dimensions = dimensions;
        this.size = size;
        this.packing = packing;
        this.obstacles = obstacles;
        this.vertexCount = BigInteger.valueOf(size).pow(dimensions).subtract(BigInteger.valueOf(obstacles.size()));
        this.edgeCount = fullEdgeCount(dimensions, size).subtract(BigInteger.valueOf(edgesTouchingObstacles()));
    }

    /** @param obstacles coordinates of blocked vertices, may be null; duplicates are collapsed */
    public static LatticeDefinition of(int dimensions, int size, List<List<Integer>> obstacles) {
        if (dimensions < 1) {
            throw new LatticeInputException("dimensions", "dimensions must be at least 1");
        }
        if (dimensions > MAX_DIMENSIONS) {
            throw new LatticeInputException("dimensions", "dimensions must be at most " + MAX_DIMENSIONS);
        }
        if (size < 1) {
            throw new LatticeInputException("size", "size must be at least 1");
        }
        CoordinatePacking packing = new CoordinatePacking(dimensions, size);
        int given = obstacles == null ? 0 : obstacles.size();
        PackedKeySet set = new PackedKeySet(packing.words, given);
        long[] key = new long[packing.words];
        for (int i = 0; i < given; i++) {
            int[] coordinates = checkedCoordinates(dimensions, size, "obstacles", i, obstacles.get(i));
            packing.pack(coordinates, key, 0);
            set.add(key, 0);
        }
        return new LatticeDefinition(dimensions, size, packing, set);
    }

    public int dimensions() {
        return dimensions;
    }

    public int size() {
        return size;
    }

    public int obstacleCount() {
        return obstacles.size();
    }

    /** Distinct, in lexicographic order; built on each call (the definition keeps only the hashed keys). */
    public List<List<Integer>> obstacles() {
        int words = packing.words;
        long[] keys = obstacles.keys();
        Integer[] order = new Integer[obstacles.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Arrays.compare(keys, a * words, a * words + words, keys, b * words,
                b * words + words));
        List<List<Integer>> result = new ArrayList<>(order.length);
        int[] coordinates = new int[dimensions];
        for (int i : order) {
            packing.unpack(keys, i * words, coordinates);
            result.add(toList(coordinates));
        }
        return Collections.unmodifiableList(result);
    }

    public BigInteger vertexCount() {
        return vertexCount;
    }

    public BigInteger edgeCount() {
        return edgeCount;
    }

    /** Approximate bytes of this object graph (compressed references): the obstacle table dominates. */
    public long memoryBytes() {
        return 48 + packing.memoryBytes() + obstacles.memoryBytes() + bigIntegerBytes(vertexCount)
                + bigIntegerBytes(edgeCount);
    }

    /** False for anything that is not a vertex of this lattice. */
    public boolean isBlocked(int[] coordinates) {
        if (obstacles.size() == 0 || !inRange(coordinates)) {
            return false;
        }
        long[] key = new long[packing.words];
        packing.pack(coordinates, key, 0);
        return obstacles.contains(key, 0);
    }

    /** Checks arity, range and that the vertex is free. */
    public int[] vertex(String field, List<Integer> coordinates) {
        int[] vertex = checkedCoordinates(dimensions, size, field, -1, coordinates);
        if (isBlocked(vertex)) {
            throw new LatticeInputException(field, field + " is an obstacle");
        }
        return vertex;
    }

    CoordinatePacking packing() {
        return packing;
    }

    boolean isBlockedKey(long[] key, int offset) {
        return obstacles.contains(key, offset);
    }

    long[] obstacleKeys() {
        return obstacles.keys();
    }

    boolean inRange(int[] coordinates) {
        if (coordinates == null || coordinates.length != dimensions) {
            return false;
        }
        for (int c : coordinates) {
            if (c < 0 || c >= size) {
                return false;
            }
        }
        return true;
    }

    static BigInteger fullEdgeCount(int dimensions, int size) {
        BigInteger n = BigInteger.valueOf(size);
        return BigInteger.valueOf(dimensions).multiply(n.pow(dimensions - 1)).multiply(n.subtract(BigInteger.ONE));
    }

    /** Edges with at least one blocked end, each once: O(k·d) lookups. */
    private long edgesTouchingObstacles() {
        int words = packing.words;
        long[] keys = obstacles.keys();
        long[] neighbour = new long[words];
        long incident = 0;
        long betweenObstacles = 0;
        for (int offset = 0; offset < keys.length; offset += words) {
            for (int axis = 0; axis < dimensions; axis++) {
                int c = packing.coordinate(keys, offset, axis);
                for (int step = -1; step <= 1; step += 2) {
                    if (c + step < 0 || c + step >= size) {
                        continue;
                    }
                    incident++;
                    System.arraycopy(keys, offset, neighbour, 0, words);
                    neighbour[packing.wordOf(axis)] += step * packing.unit(axis);
                    if (obstacles.contains(neighbour, 0)) {
                        betweenObstacles++;
                    }
                }
            }
        }
        return incident - betweenObstacles / 2;
    }

    private static long bigIntegerBytes(BigInteger value) {
        return 40 + 16 + 4L * ((value.bitLength() + 31) / 32);
    }

    /** @param index the obstacle's position in the request, -1 for a single vertex */
    private static int[] checkedCoordinates(int dimensions, int size, String field, int index,
                                            List<Integer> coordinates) {
        if (coordinates == null || coordinates.size() != dimensions) {
            throw new LatticeInputException(field, what(field, index) + " must have " + dimensions + " coordinates");
        }
        int[] result = new int[dimensions];
        for (int axis = 0; axis < dimensions; axis++) {
            Integer value = coordinates.get(axis);
            if (value == null || value < 0 || value >= size) {
                throw new LatticeInputException(field,
                        what(field, index) + " coordinate " + axis + " must be between 0 and " + (size - 1));
            }
            result[axis] = value;
        }
        return result;
    }

    private static String what(String field, int index) {
        return index < 0 ? field : "obstacle " + index;
    }

    static List<Integer> toList(int[] coordinates) {
        Integer[] boxed = new Integer[coordinates.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = coordinates[i];
        }
        return List.of(boxed);
    }
}
