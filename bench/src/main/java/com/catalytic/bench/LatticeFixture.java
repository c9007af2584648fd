package com.catalytic.bench;

import com.catalytic.command.lattice.engine.Cancellation;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.lattice.engine.PathOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.SimpleGraph;

/**
 * A 3-D lattice with a seeded fraction of distinct random obstacles and seeded random pairs of free vertices, as our
* engine takes it and as an explicit JGraphT graph (vertex = position index x·n² + y·n + z, free vertices only).
 */
final class LatticeFixture {

    /** The service's defaults: 10,000 path vertices returned, a generous search budget. */
    static final PathOptions OPTIONS = new PathOptions(10_000, 5_000_000, Cancellation.none());

    final int size;
    final List<List<Integer>> obstacles;
    final boolean[] blocked;
    final LatticeDefinition lattice;
    final int[][] starts;
    final int[][] ends;

    private LatticeFixture(int size, double fraction, long obstacleSeed, int pairs, long pairSeed) {
        this.size = size;
        long positions = (long) size * size * size;
        this.blocked = new boolean[fraction > 0 ? (int) positions : 0];
        this.obstacles = new ArrayList<>();
        Random random = new Random(obstacleSeed);
        long wanted = Math.round(positions * fraction);
        while (obstacles.size() < wanted) {
            int p = random.nextInt((int) positions);
            if (!blocked[p]) {
                blocked[p] = true;
                obstacles.add(List.of(p / (size * size), p / size % size, p % size));
            }
        }
        this.lattice = LatticeDefinition.of(3, size, obstacles);
        Random pairRandom = new Random(pairSeed);
        this.starts = new int[pairs][];
        this.ends = new int[pairs][];
        for (int i = 0; i < pairs; i++) {
            starts[i] = freeVertex(pairRandom);
            ends[i] = freeVertex(pairRandom);
        }
    }

    static LatticeFixture cube(int size, double obstacleFraction, int pairs) {
        return new LatticeFixture(size, obstacleFraction, 42, pairs, 7);
    }

    int index(int[] c) {
        return (c[0] * size + c[1]) * size + c[2];
    }

    private int[] freeVertex(Random random) {
        while (true) {
            int[] c = {random.nextInt(size), random.nextInt(size), random.nextInt(size)};
            if (blocked.length == 0 || !blocked[index(c)]) {
                return c;
            }
        }
    }

    private boolean free(int p) {
        return blocked.length == 0 || !blocked[p];
    }

    /** JGraphT's general-purpose graph: what a user of the library would build. */
    Graph<Integer, DefaultEdge> simpleGraph() {
        Graph<Integer, DefaultEdge> graph = new SimpleGraph<>(DefaultEdge.class);
        int positions = size * size * size;
        for (int p = 0; p < positions; p++) {
            if (free(p)) {
                graph.addVertex(p);
            }
        }
        int[] strides = {size * size, size, 1};
        for (int p = 0; p < positions; p++) {
            if (!free(p)) {
                continue;
            }
            int[] c = {p / (size * size), p / size % size, p % size};
            for (int axis = 0; axis < 3; axis++) {
                if (c[axis] + 1 < size && free(p + strides[axis])) {
                    graph.addEdge(p, p + strides[axis]);
                }
            }
        }
        return graph;
    }
}
