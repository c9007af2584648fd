package com.catalytic.bench;

import com.catalytic.command.lattice.engine.Analysis;
import com.catalytic.command.lattice.engine.AnalysisOptions;
import com.catalytic.command.lattice.engine.Analyzer;
import com.catalytic.command.lattice.engine.Cancellation;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.lattice.engine.PathFinder;
import com.catalytic.command.lattice.engine.PathResult;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Arrays;
import org.jgrapht.Graph;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.shortestpath.BFSShortestPath;
import org.jgrapht.graph.DefaultEdge;

/**
 * Figures JMH does not give (a plain main, not JMH): per-pair latency percentiles of the engine, bytes allocated per
 * query, and the heap each side retains while its structures are referenced. Run with a fixed heap, e.g.
 * {@code java -Xms6g -Xmx6g -cp bench/target/benchmarks.jar com.catalytic.bench.LatticeEngineFigures}.
 */
public final class LatticeEngineFigures {

    private static final ThreadMXBean THREADS =
            (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LatticeEngineFigures() {
    }

    public static void main(String[] args) throws InterruptedException {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        latency("3-D n=1000, no obstacles", LatticeFixture.cube(1000, 0, 2 * pairs), pairs);
        latency("3-D n=100, 1 % obstacles", LatticeFixture.cube(100, 0.01, 2 * pairs), pairs);
        scan(LatticeFixture.cube(100, 0.01, 1));
        retained(LatticeFixture.cube(100, 0.01, 16));
    }

    /** The analysis that needs a scan: components and exact diameter of the 100^3 lattice with 1 % obstacles. */
    private static void scan(LatticeFixture fixture) {
        AnalysisOptions options = new AnalysisOptions(10_000_000, Cancellation.none());
        for (int i = 0; i < 3; i++) {
            Analyzer.analyze(fixture.lattice, options);
        }
        long thread = Thread.currentThread().getId();
        long bytesBefore = THREADS.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        Analysis analysis = Analyzer.analyze(fixture.lattice, options);
        long elapsed = System.nanoTime() - start;
        long allocated = THREADS.getThreadAllocatedBytes(thread) - bytesBefore;
        long free = analysis.vertices().longValueExact();
        System.out.printf("analysis scan, 3-D n=100, 1 %% obstacles: %.0f ms, allocated %d B; %d components, "
                        + "diameter %d; %d vertex visits = %.1f BFS over %d free vertices%n", elapsed / 1e6, allocated,
                analysis.components(), analysis.diameter(), analysis.verticesScanned(),
                (double) analysis.verticesScanned() / free, free);
    }

    /** Warms up on the first half of the pairs, then times each pair of the second half once. */
    private static void latency(String name, LatticeFixture fixture, int pairs) {
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < pairs; i++) {
                PathFinder.find(fixture.lattice, fixture.starts[i], fixture.ends[i], LatticeFixture.OPTIONS);
            }
        }
        long[] nanos = new long[pairs];
        long[] allocated = new long[pairs];
        long[] explored = new long[pairs];
        long thread = Thread.currentThread().getId();
        for (int j = 0; j < pairs; j++) {
            int i = pairs + j;
            long bytesBefore = THREADS.getThreadAllocatedBytes(thread);
            long start = System.nanoTime();
            PathResult result = PathFinder.find(fixture.lattice, fixture.starts[i], fixture.ends[i],
                    LatticeFixture.OPTIONS);
            nanos[j] = System.nanoTime() - start;
            allocated[j] = THREADS.getThreadAllocatedBytes(thread) - bytesBefore;
            explored[j] = result.verticesExplored();
        }
        Arrays.sort(nanos);
        Arrays.sort(allocated);
        Arrays.sort(explored);
        System.out.printf("%s, %d pairs: latency p50 %.1f µs, p99 %.1f µs, max %.1f µs; allocated per query "
                        + "p50 %d B, p99 %d B, max %d B; vertices explored p50 %d, p99 %d, max %d%n", name, pairs,
                nanos[pairs / 2] / 1e3, nanos[pairs * 99 / 100] / 1e3, nanos[pairs - 1] / 1e3,
                allocated[pairs / 2], allocated[pairs * 99 / 100], allocated[pairs - 1],
                explored[pairs / 2], explored[pairs * 99 / 100], explored[pairs - 1]);
    }

    /** Used heap after repeated full collections, with each side's structures still referenced. */
    private static void retained(LatticeFixture fixture) throws InterruptedException {
        int s = 0;
        long baseline = settledUsedHeap();
        LatticeDefinition lattice = LatticeDefinition.of(3, fixture.size, fixture.obstacles);
        PathResult ours = PathFinder.find(lattice, fixture.starts[s], fixture.ends[s], LatticeFixture.OPTIONS);
        long oursRetained = settledUsedHeap() - baseline;
        System.out.printf("engine: definition + result retained %d B (memoryBytes() says %d B); path length %d, "
                        + "%d vertices explored%n", oursRetained, lattice.memoryBytes(), ours.length(),
                ours.verticesExplored());
        Reference.reachabilityFence(lattice);
        Reference.reachabilityFence(ours);
        lattice = null;
        ours = null;

        long thread = Thread.currentThread().getId();
        baseline = settledUsedHeap();
        long bytesBefore = THREADS.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        Graph<Integer, DefaultEdge> graph = fixture.simpleGraph();
        long built = System.nanoTime();
        GraphPath<Integer, DefaultEdge> theirs = BFSShortestPath.findPathBetween(graph,
                fixture.index(fixture.starts[s]), fixture.index(fixture.ends[s]));
        long searched = System.nanoTime();
        long theirAllocation = THREADS.getThreadAllocatedBytes(thread) - bytesBefore;
        long theirsRetained = settledUsedHeap() - baseline;
        System.out.printf("JGraphT SimpleGraph: graph + path retained %d B; allocated %d B; build %.0f ms, "
                        + "BFS %.0f ms; %d vertices, %d edges, path length %d%n", theirsRetained, theirAllocation,
                (built - start) / 1e6, (searched - built) / 1e6, graph.vertexSet().size(), graph.edgeSet().size(),
                theirs.getLength());
        Reference.reachabilityFence(graph);
        Reference.reachabilityFence(theirs);
    }

    private static long settledUsedHeap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
