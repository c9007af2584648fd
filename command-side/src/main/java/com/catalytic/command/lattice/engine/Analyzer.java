package com.catalytic.command.lattice.engine;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Counts, degree histogram, components, diameter and bipartiteness of a lattice's free vertices. */
public final class Analyzer {

    private Analyzer() {
    }

    public static Analysis analyze(LatticeDefinition lattice, AnalysisOptions options) {
        if (lattice.obstacleCount() == 0) {
            return closedForm(lattice);
        }
        return scan(lattice, options);
    }

    private static Analysis closedForm(LatticeDefinition lattice) {
        int d = lattice.dimensions();
        int n = lattice.size();
        SortedMap<Integer, BigInteger> histogram = new TreeMap<>();
        if (n == 1) {
            histogram.put(0, BigInteger.ONE);
        } else if (n == 2) {
            histogram.put(d, BigInteger.TWO.pow(d));
        } else {
            BigInteger inner = BigInteger.valueOf(n - 2);
            BigInteger binomial = BigInteger.ONE;
            for (int b = 0; b <= d; b++) {
                histogram.put(2 * d - b, binomial.multiply(BigInteger.TWO.pow(b)).multiply(inner.pow(d - b)));
                binomial = binomial.multiply(BigInteger.valueOf(d - b)).divide(BigInteger.valueOf(b + 1));
            }
        }
        return new Analysis(lattice.vertexCount(), lattice.edgeCount(), Collections.unmodifiableSortedMap(histogram),
                (long) d * (n - 1), BigInteger.ONE, true, 0, "closed_form");
    }

    private static Analysis scan(LatticeDefinition lattice, AnalysisOptions options) {
        int d = lattice.dimensions();
        int n = lattice.size();
        BigInteger total = BigInteger.valueOf(n).pow(d);
        if (total.compareTo(BigInteger.valueOf(options.maxScanVertices())) > 0
                || total.compareTo(BigInteger.valueOf(Integer.MAX_VALUE - 8)) > 0) {
            throw new TooLargeToAnalyzeException(options.maxScanVertices());
        }
        int count = total.intValueExact();
        boolean[] blocked = new boolean[count];
        for (var obstacle : lattice.obstacles()) {
            blocked[index(LatticeDefinition.toArray(obstacle), n)] = true;
        }
        SortedMap<Integer, BigInteger> histogram = new TreeMap<>();
        long edges2 = 0;
        int[] c = new int[d];
        for (int v = 0; v < count; v++) {
            if (blocked[v]) {
                continue;
            }
            decode(v, n, c);
            int degree = 0;
            for (int axis = 0, stride = 1; axis < d; axis++, stride *= n) {
                if (c[axis] > 0 && !blocked[v - stride]) {
                    degree++;
                }
                if (c[axis] < n - 1 && !blocked[v + stride]) {
                    degree++;
                }
            }
            edges2 += degree;
            histogram.merge(degree, BigInteger.ONE, BigInteger::add);
        }
        long components = 0;
        long diameter = 0;
        boolean[] seen = new boolean[count];
        for (int v = 0; v < count; v++) {
            if (blocked[v] || seen[v]) {
                continue;
            }
            components++;
            for (int member : bfs(v, blocked, n, d, options, seen).members) {
                diameter = Math.max(diameter, bfs(member, blocked, n, d, options, null).depth);
            }
        }
        return new Analysis(lattice.vertexCount(), BigInteger.valueOf(edges2 / 2),
                Collections.unmodifiableSortedMap(histogram), diameter, BigInteger.valueOf(components), true, count,
                "scan");
    }

    private record Sweep(int[] members, long depth) {
    }

    private static Sweep bfs(int source, boolean[] blocked, int n, int d, AnalysisOptions options, boolean[] mark) {
        int[] distance = new int[blocked.length];
        java.util.Arrays.fill(distance, -1);
        distance[source] = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(source);
        java.util.List<Integer> members = new java.util.ArrayList<>();
        int[] c = new int[d];
        long depth = 0;
        while (!queue.isEmpty()) {
            int v = queue.poll();
            options.cancellation().check();
            members.add(v);
            if (mark != null) {
                mark[v] = true;
            }
            depth = Math.max(depth, distance[v]);
            decode(v, n, c);
            for (int axis = 0, stride = 1; axis < d; axis++, stride *= n) {
                if (c[axis] > 0 && !blocked[v - stride] && distance[v - stride] < 0) {
                    distance[v - stride] = distance[v] + 1;
                    queue.add(v - stride);
                }
                if (c[axis] < n - 1 && !blocked[v + stride] && distance[v + stride] < 0) {
                    distance[v + stride] = distance[v] + 1;
                    queue.add(v + stride);
                }
            }
        }
        return new Sweep(members.stream().mapToInt(Integer::intValue).toArray(), depth);
    }

    private static int index(int[] c, int n) {
        int index = 0;
        for (int axis = c.length - 1; axis >= 0; axis--) {
            index = index * n + c[axis];
        }
        return index;
    }

    private static void decode(int index, int n, int[] c) {
        for (int axis = 0; axis < c.length; axis++) {
            c[axis] = index % n;
            index /= n;
        }
    }
}
