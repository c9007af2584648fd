package com.catalytic.command.lattice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The engine against the brute-force {@link ExplicitLattice} on small random lattices (d ≤ 4, n ≤ 8). */
class LatticeEnginePropertiesTest {

    record Case(int dimensions, int size, List<List<Integer>> obstacles, long seed) {
    }

    @Provide
    Arbitrary<Case> lattices() {
        Arbitrary<Integer> dimensions = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> size = Arbitraries.integers().between(1, 8);
        Arbitrary<Integer> density = Arbitraries.integers().between(0, 60);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(dimensions, size, density, seed).as((d, n, percent, s) -> {
            Random random = new Random(s);
            int positions = (int) Math.pow(n, d);
            int count = positions * percent / 100 + (percent > 0 && random.nextBoolean() ? 1 : 0);
            List<List<Integer>> obstacles = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                List<Integer> c = new ArrayList<>();
                for (int axis = 0; axis < d; axis++) {
                    c.add(random.nextInt(n));
                }
                obstacles.add(c);
            }
            return new Case(d, n, obstacles, s);
        });
    }

    @Property(tries = 600)
    void shortestPathMatchesBreadthFirstSearch(@ForAll("lattices") Case c) {
        LatticeDefinition lattice = LatticeDefinition.of(c.dimensions(), c.size(), c.obstacles());
        ExplicitLattice reference = new ExplicitLattice(c.dimensions(), c.size(), c.obstacles());
        List<Integer> free = new ArrayList<>();
        for (int v = 0; v < reference.positions; v++) {
            if (!reference.blocked[v]) {
                free.add(v);
            }
        }
        if (free.isEmpty()) {
            return;
        }
        Random random = new Random(c.seed() ^ 0x5DEECE66DL);
        for (int pair = 0; pair < 5; pair++) {
            int from = free.get(random.nextInt(free.size()));
            int to = free.get(random.nextInt(free.size()));
            int[] start = reference.coordinates(from);
            int[] end = reference.coordinates(to);
            int expected = reference.distancesFrom(from)[to];

            PathResult result = PathFinder.find(lattice, start, end,
                    new PathOptions(100_000, 1_000_000, Cancellation.none()));

            assertThat(result.reachable()).as("reachable %s → %s", reference.index(start), to).isEqualTo(expected >= 0);
            if (expected < 0) {
                assertThat(result.length()).isEqualTo(-1);
                assertThat(result.path()).isEmpty();
                continue;
            }
            assertThat(result.length()).isEqualTo(expected);
            assertThat(result.truncated()).isFalse();
            assertValidPath(lattice, result.path(), start, end, expected);
        }
    }

    @Property(tries = 600)
    void analysisMatchesTheExplicitGraph(@ForAll("lattices") Case c) {
        LatticeDefinition lattice = LatticeDefinition.of(c.dimensions(), c.size(), c.obstacles());
        ExplicitLattice reference = new ExplicitLattice(c.dimensions(), c.size(), c.obstacles());

        Analysis analysis = Analyzer.analyze(lattice, new AnalysisOptions(1_000_000, Cancellation.none()));

        assertThat(lattice.vertexCount()).isEqualTo(BigInteger.valueOf(reference.vertices()));
        assertThat(lattice.edgeCount()).isEqualTo(BigInteger.valueOf(reference.edges()));
        assertThat(analysis.vertices()).isEqualTo(BigInteger.valueOf(reference.vertices()));
        assertThat(analysis.edges()).isEqualTo(BigInteger.valueOf(reference.edges()));
        assertThat(analysis.degreeHistogram()).isEqualTo(reference.degreeHistogram());
        assertThat(analysis.components()).isEqualTo(BigInteger.valueOf(reference.components()));
        assertThat(analysis.diameter()).isEqualTo(reference.diameter());
        assertThat(analysis.bipartite()).isTrue();
        assertThat(analysis.method()).isEqualTo(c.obstacles().isEmpty() ? "closed_form" : "scan");
    }

    @Property(tries = 200)
    void obstaclesAreDistinctSortedAndBlocked(@ForAll("lattices") Case c) {
        LatticeDefinition lattice = LatticeDefinition.of(c.dimensions(), c.size(), c.obstacles());

        List<List<Integer>> normalised = lattice.obstacles();

        assertThat(normalised).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                c.obstacles().stream().distinct().toList());
        for (int i = 1; i < normalised.size(); i++) {
            assertThat(compare(normalised.get(i - 1), normalised.get(i))).isNegative();
        }
        assertThat(lattice.obstacleCount()).isEqualTo(normalised.size());
        for (List<Integer> obstacle : normalised) {
            assertThat(lattice.isBlocked(obstacle.stream().mapToInt(Integer::intValue).toArray())).isTrue();
        }
    }

    static void assertValidPath(LatticeDefinition lattice, List<int[]> path, int[] start, int[] end, long length) {
        assertThat(path).hasSize((int) length + 1);
        assertThat(path.get(0)).containsExactly(start);
        assertThat(path.get(path.size() - 1)).containsExactly(end);
        for (int i = 0; i < path.size(); i++) {
            assertThat(lattice.isBlocked(path.get(i))).as("vertex %d on an obstacle", i).isFalse();
            assertThat(lattice.inRange(path.get(i))).isTrue();
            if (i > 0) {
                assertThat(SearchFrontier.manhattan(path.get(i - 1), path.get(i))).as("step %d", i).isEqualTo(1);
            }
        }
    }

    private static int compare(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
