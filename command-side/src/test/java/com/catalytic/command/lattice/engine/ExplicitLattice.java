package com.catalytic.command.lattice.engine;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Brute-force reference: the lattice materialised as adjacency lists, answered by plain BFS. */
final class ExplicitLattice {

    final int dimensions;
    final int size;
    final int positions;
    final boolean[] blocked;
    final List<List<Integer>> adjacency = new ArrayList<>();

    ExplicitLattice(int dimensions, int size, List<List<Integer>> obstacles) {
        this.dimensions = dimensions;
        this.size = size;
        int p = 1;
        for (int i = 0; i < dimensions; i++) {
            p *= size;
        }
        this.positions = p;
        this.blocked = new boolean[positions];
        for (List<Integer> obstacle : obstacles) {
            blocked[index(obstacle.stream().mapToInt(Integer::intValue).toArray())] = true;
        }
        for (int v = 0; v < positions; v++) {
            List<Integer> neighbours = new ArrayList<>();
            adjacency.add(neighbours);
            if (blocked[v]) {
                continue;
            }
            int[] c = coordinates(v);
            for (int axis = 0; axis < dimensions; axis++) {
                for (int step = -1; step <= 1; step += 2) {
                    int[] other = c.clone();
                    other[axis] += step;
                    if (other[axis] >= 0 && other[axis] < size && !blocked[index(other)]) {
                        neighbours.add(index(other));
                    }
                }
            }
        }
    }

    int index(int[] c) {
        int index = 0;
        for (int axis = 0; axis < dimensions; axis++) {
            index = index * size + c[axis];
        }
        return index;
    }

    int[] coordinates(int index) {
        int[] c = new int[dimensions];
        for (int axis = dimensions - 1; axis >= 0; axis--) {
            c[axis] = index % size;
            index /= size;
        }
        return c;
    }

    int[] distancesFrom(int source) {
        int[] distance = new int[positions];
        Arrays.fill(distance, -1);
        distance[source] = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(source));
        while (!queue.isEmpty()) {
            int v = queue.poll();
            for (int w : adjacency.get(v)) {
                if (distance[w] < 0) {
                    distance[w] = distance[v] + 1;
                    queue.add(w);
                }
            }
        }
        return distance;
    }

    long vertices() {
        long count = 0;
        for (boolean b : blocked) {
            count += b ? 0 : 1;
        }
        return count;
    }

    long edges() {
        long ends = 0;
        for (List<Integer> neighbours : adjacency) {
            ends += neighbours.size();
        }
        return ends / 2;
    }

    SortedMap<Integer, BigInteger> degreeHistogram() {
        SortedMap<Integer, BigInteger> histogram = new TreeMap<>();
        for (int v = 0; v < positions; v++) {
            if (!blocked[v]) {
                histogram.merge(adjacency.get(v).size(), BigInteger.ONE, BigInteger::add);
            }
        }
        return histogram;
    }

    long components() {
        boolean[] seen = new boolean[positions];
        long count = 0;
        for (int v = 0; v < positions; v++) {
            if (blocked[v] || seen[v]) {
                continue;
            }
            count++;
            int[] distance = distancesFrom(v);
            for (int w = 0; w < positions; w++) {
                seen[w] |= distance[w] >= 0;
            }
        }
        return count;
    }

    long diameter() {
        long diameter = 0;
        for (int v = 0; v < positions; v++) {
            if (!blocked[v]) {
                for (int distance : distancesFrom(v)) {
                    diameter = Math.max(diameter, distance);
                }
            }
        }
        return diameter;
    }
}
