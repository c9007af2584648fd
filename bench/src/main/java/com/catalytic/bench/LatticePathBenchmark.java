package com.catalytic.bench;

import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.lattice.engine.PathFinder;
import com.catalytic.command.lattice.engine.PathResult;
import java.util.concurrent.TimeUnit;
import org.jgrapht.Graph;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.shortestpath.BFSShortestPath;
import org.jgrapht.graph.DefaultEdge;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One shortest-path query on a 3-D lattice of 100 per side with 1 % random obstacles (seeded), between seeded random
 * pairs of free vertices, cycling through 1,024 pairs.
 *
 * <p>{@code engine}: {@link PathFinder#find} on a prepared {@link LatticeDefinition}. {@code engineWithDefinition}
 * also builds the definition from the 10,000 obstacle coordinates, as a request that reloads it would.
 * {@code jgraphtSimpleGraph}: what the query costs a JGraphT user, building the explicit graph (a
 * {@code SimpleGraph<Integer, DefaultEdge>}, JGraphT's general graph; its compact CSR graphs live in the separate
 * jgrapht-opt module) and running {@code BFSShortestPath}. {@code jgraphtSearchOnly} times the search alone on a
 * graph built once. The setup checks that both sides agree on the length of the first 16 pairs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class LatticePathBenchmark {

    private static final int PAIRS = 1024;

    private LatticeFixture fixture;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = LatticeFixture.cube(100, 0.01, PAIRS);
        Graph<Integer, DefaultEdge> graph = fixture.simpleGraph();
        for (int i = 0; i < 16; i++) {
            PathResult ours = PathFinder.find(fixture.lattice, fixture.starts[i], fixture.ends[i],
                    LatticeFixture.OPTIONS);
            GraphPath<Integer, DefaultEdge> theirs = BFSShortestPath.findPathBetween(graph,
                    fixture.index(fixture.starts[i]), fixture.index(fixture.ends[i]));
            long theirLength = theirs == null ? -1 : theirs.getLength();
            if (ours.length() != theirLength) {
                throw new IllegalStateException("pair " + i + ": engine " + ours.length() + ", JGraphT " + theirLength);
            }
        }
    }

    private int pair() {
        return next++ & (PAIRS - 1);
    }

    @Benchmark
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 5, time = 2)
    public PathResult engine() {
        int i = pair();
        return PathFinder.find(fixture.lattice, fixture.starts[i], fixture.ends[i], LatticeFixture.OPTIONS);
    }

    @Benchmark
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 5, time = 2)
    public PathResult engineWithDefinition() {
        int i = pair();
        LatticeDefinition lattice = LatticeDefinition.of(3, fixture.size, fixture.obstacles);
        return PathFinder.find(lattice, fixture.starts[i], fixture.ends[i], LatticeFixture.OPTIONS);
    }

    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 4, time = 1)
    public GraphPath<Integer, DefaultEdge> jgraphtSimpleGraph() {
        int i = pair();
        Graph<Integer, DefaultEdge> graph = fixture.simpleGraph();
        return BFSShortestPath.findPathBetween(graph, fixture.index(fixture.starts[i]), fixture.index(fixture.ends[i]));
    }

    @State(Scope.Thread)
    public static class PrebuiltGraph {
        Graph<Integer, DefaultEdge> graph;

        @Setup(Level.Trial)
        public void build(LatticePathBenchmark benchmark) {
            graph = benchmark.fixture.simpleGraph();
        }
    }

    /** Not a user's cost (the graph is built once, outside the measurement): the search alone, for comparison. */
    @Benchmark
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 4, time = 2)
    public GraphPath<Integer, DefaultEdge> jgraphtSearchOnly(PrebuiltGraph prebuilt) {
        int i = pair();
        return BFSShortestPath.findPathBetween(prebuilt.graph, fixture.index(fixture.starts[i]),
                fixture.index(fixture.ends[i]));
    }
}
