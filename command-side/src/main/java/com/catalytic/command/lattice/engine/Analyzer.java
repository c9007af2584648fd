package com.catalytic.command.lattice.engine;

import java.math.BigInteger;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Counts, degree histogram, components, diameter and bipartiteness of a lattice's free vertices. Counts and the
 * histogram never scan: closed forms, corrected around each obstacle in O(k·d²). Bipartite is always true (a
 * subgraph of a grid). Components and diameter are closed forms without obstacles and otherwise need a
 * {@link LatticeScan} of all n^d positions, refused above {@link AnalysisOptions#maxScanVertices()}.
 */
public final class Analyzer {

    private Analyzer() {
    }

    public static Analysis analyze(LatticeDefinition lattice, AnalysisOptions options) {
        int d = lattice.dimensions();
        int n = lattice.size();
        SortedMap<Integer, BigInteger> histogram = degreeHistogram(lattice);
        if (lattice.obstacleCount() == 0) {
            return new Analysis(lattice.vertexCount(), lattice.edgeCount(), histogram, (long) d * (n - 1),
                    BigInteger.ONE, true, 0, "closed_form");
        }
        long limit = Math.min(options.maxScanVertices(), LatticeScan.MAX_POSITIONS);
        BigInteger positions = BigInteger.valueOf(n).pow(d);
        if (positions.compareTo(BigInteger.valueOf(limit)) > 0) {
            throw new TooLargeToAnalyzeException(limit);
        }
        LatticeScan scan = LatticeScan.run(lattice, positions.intValueExact(), options.cancellation());
        return new Analysis(lattice.vertexCount(), lattice.edgeCount(), histogram, scan.diameter(),
                BigInteger.valueOf(scan.components()), true, scan.visits(), "scan");
    }

    /** Free vertices by degree; degrees no vertex has are left out. */
    static SortedMap<Integer, BigInteger> degreeHistogram(LatticeDefinition lattice) {
        SortedMap<Integer, BigInteger> histogram = fullHistogram(lattice.dimensions(), lattice.size());
        if (lattice.obstacleCount() > 0) {
            obstacleCorrections(lattice).forEach((degree, delta) -> {
                BigInteger count = histogram.getOrDefault(degree, BigInteger.ZERO).add(BigInteger.valueOf(delta));
                if (count.signum() == 0) {
                    histogram.remove(degree);
                } else {
                    histogram.put(degree, count);
                }
            });
        }
        return Collections.unmodifiableSortedMap(histogram);
    }

    /** With b axes on the boundary a vertex has degree 2d − b; C(d,b)·2^b·(n−2)^(d−b) vertices do. */
    private static SortedMap<Integer, BigInteger> fullHistogram(int d, int n) {
        SortedMap<Integer, BigInteger> histogram = new TreeMap<>();
        if (n == 1) {
            histogram.put(0, BigInteger.ONE);
        } else if (n == 2) {
            histogram.put(d, BigInteger.TWO.pow(d));
        } else {
            BigInteger inner = BigInteger.valueOf(n - 2);
            BigInteger binomial = BigInteger.ONE;
            for (int b = 0; b <= d; b++) {
                histogram.put(2 * d - b, binomial.shiftLeft(b).multiply(inner.pow(d - b)));
                binomial = binomial.multiply(BigInteger.valueOf(d - b)).divide(BigInteger.valueOf(b + 1));
            }
        }
        return histogram;
    }

    /** Each obstacle leaves its bucket; each free neighbour of one moves down by its number of blocked neighbours. */
    private static Map<Integer, Long> obstacleCorrections(LatticeDefinition lattice) {
        CoordinatePacking packing = lattice.packing();
        int words = packing.words;
        int d = lattice.dimensions();
        int n = lattice.size();
        long[] obstacles = lattice.obstacleKeys();
        PackedKeySet done = new PackedKeySet(words, obstacles.length / words);
        long[] neighbour = new long[words];
        long[] around = new long[words];
        int[] coordinates = new int[d];
        Map<Integer, Long> delta = new HashMap<>();
        for (int offset = 0; offset < obstacles.length; offset += words) {
            packing.unpack(obstacles, offset, coordinates);
            delta.merge(fullDegree(coordinates, n), -1L, Long::sum);
            for (int axis = 0; axis < d; axis++) {
                for (int step = -1; step <= 1; step += 2) {
                    int c = coordinates[axis] + step;
                    if (c < 0 || c >= n) {
                        continue;
                    }
                    System.arraycopy(obstacles, offset, neighbour, 0, words);
                    neighbour[packing.wordOf(axis)] += step * packing.unit(axis);
                    if (lattice.isBlockedKey(neighbour, 0) || !done.add(neighbour, 0)) {
                        continue;
                    }
                    int full = fullDegree(packing, neighbour, n);
                    int blocked = blockedNeighbours(lattice, packing, neighbour, around);
                    delta.merge(full, -1L, Long::sum);
                    delta.merge(full - blocked, 1L, Long::sum);
                }
            }
        }
        return delta;
    }

    private static int fullDegree(int[] coordinates, int n) {
        int degree = 0;
        for (int c : coordinates) {
            degree += (c > 0 ? 1 : 0) + (c < n - 1 ? 1 : 0);
        }
        return degree;
    }

    private static int fullDegree(CoordinatePacking packing, long[] key, int n) {
        int degree = 0;
        for (int axis = 0; axis < packing.dimensions; axis++) {
            int c = packing.coordinate(key, 0, axis);
            degree += (c > 0 ? 1 : 0) + (c < n - 1 ? 1 : 0);
        }
        return degree;
    }

    private static int blockedNeighbours(LatticeDefinition lattice, CoordinatePacking packing, long[] key,
                                         long[] scratch) {
        int blocked = 0;
        for (int axis = 0; axis < packing.dimensions; axis++) {
            int c = packing.coordinate(key, 0, axis);
            for (int step = -1; step <= 1; step += 2) {
                if (c + step < 0 || c + step >= packing.size) {
                    continue;
                }
                System.arraycopy(key, 0, scratch, 0, key.length);
                scratch[packing.wordOf(axis)] += step * packing.unit(axis);
                if (lattice.isBlockedKey(scratch, 0)) {
                    blocked++;
                }
            }
        }
        return blocked;
    }
}
