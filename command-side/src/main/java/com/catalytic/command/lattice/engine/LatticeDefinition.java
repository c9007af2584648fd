package com.catalytic.command.lattice.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A d-dimensional grid of {@code size} points per side with blocked vertices; immutable, obstacles distinct and sorted. */
public final class LatticeDefinition {

    private final int dimensions;
    private final int size;
    private final List<List<Integer>> obstacles;
    private final Set<List<Integer>> blocked;
    private final BigInteger vertexCount;
    private final BigInteger edgeCount;

    private LatticeDefinition(int dimensions, int size, List<List<Integer>> obstacles) {
        this.dimensions = dimensions;
        this.size = size;
        this.obstacles = obstacles;
        this.blocked = new HashSet<>(obstacles);
        this.vertexCount = BigInteger.valueOf(size).pow(dimensions).subtract(BigInteger.valueOf(obstacles.size()));
        this.edgeCount = fullEdgeCount(dimensions, size).subtract(BigInteger.valueOf(edgesTouchingObstacles()));
    }

    public static LatticeDefinition of(int dimensions, int size, List<List<Integer>> obstacles) {
        if (dimensions < 1) {
            throw new LatticeInputException("dimensions", "dimensions must be at least 1");
        }
        if (size < 1) {
            throw new LatticeInputException("size", "size must be at least 1");
        }
        List<int[]> checked = new ArrayList<>();
        if (obstacles != null) {
            for (int i = 0; i < obstacles.size(); i++) {
                checked.add(checkedCoordinates(dimensions, size, "obstacles", "obstacle " + i, obstacles.get(i)));
            }
        }
        checked.sort(Arrays::compare);
        List<List<Integer>> normalised = new ArrayList<>();
        int[] previous = null;
        for (int[] obstacle : checked) {
            if (previous == null || !Arrays.equals(previous, obstacle)) {
                normalised.add(toList(obstacle));
            }
            previous = obstacle;
        }
        return new LatticeDefinition(dimensions, size, Collections.unmodifiableList(normalised));
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

    public List<List<Integer>> obstacles() {
        return obstacles;
    }

    public BigInteger vertexCount() {
        return vertexCount;
    }

    public BigInteger edgeCount() {
        return edgeCount;
    }

    public long memoryBytes() {
        return 64L + obstacles.size() * (48L + 24L * dimensions);
    }

    public boolean isBlocked(int[] coordinates) {
        return !obstacles.isEmpty() && blocked.contains(toList(coordinates));
    }

    public int[] vertex(String field, List<Integer> coordinates) {
        int[] vertex = checkedCoordinates(dimensions, size, field, field, coordinates);
        if (isBlocked(vertex)) {
            throw new LatticeInputException(field, field + " is an obstacle");
        }
        return vertex;
    }

    static BigInteger fullEdgeCount(int dimensions, int size) {
        BigInteger n = BigInteger.valueOf(size);
        return BigInteger.valueOf(dimensions).multiply(n.pow(dimensions - 1)).multiply(n.subtract(BigInteger.ONE));
    }

    private long edgesTouchingObstacles() {
        long incident = 0;
        long betweenObstacles = 0;
        for (List<Integer> obstacle : obstacles) {
            int[] c = toArray(obstacle);
            for (int axis = 0; axis < dimensions; axis++) {
                for (int step = -1; step <= 1; step += 2) {
                    int moved = c[axis] + step;
                    if (moved < 0 || moved >= size) {
                        continue;
                    }
                    incident++;
                    c[axis] = moved;
                    if (blocked.contains(toList(c))) {
                        betweenObstacles++;
                    }
                    c[axis] = moved - step;
                }
            }
        }
        return incident - betweenObstacles / 2;
    }

    private static int[] checkedCoordinates(int dimensions, int size, String field, String what,
                                            List<Integer> coordinates) {
        if (coordinates == null || coordinates.size() != dimensions) {
            throw new LatticeInputException(field, what + " must have " + dimensions + " coordinates");
        }
        int[] result = new int[dimensions];
        for (int axis = 0; axis < dimensions; axis++) {
            Integer value = coordinates.get(axis);
            if (value == null || value < 0 || value >= size) {
                throw new LatticeInputException(field,
                        what + " coordinate " + axis + " must be between 0 and " + (size - 1));
            }
            result[axis] = value;
        }
        return result;
    }

    static List<Integer> toList(int[] coordinates) {
        List<Integer> list = new ArrayList<>(coordinates.length);
        for (int c : coordinates) {
            list.add(c);
        }
        return Collections.unmodifiableList(list);
    }

    static int[] toArray(List<Integer> coordinates) {
        int[] result = new int[coordinates.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = coordinates.get(i);
        }
        return result;
    }
}
