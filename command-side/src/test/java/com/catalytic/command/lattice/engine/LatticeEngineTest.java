package com.catalytic.command.lattice.engine;

import static com.catalytic.command.lattice.engine.LatticeEnginePropertiesTest.assertValidPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LatticeEngineTest {

    private static final PathOptions OPTIONS = new PathOptions(10_000, 5_000_000, Cancellation.none());
    private static final AnalysisOptions ANALYSIS = new AnalysisOptions(2_000_000, Cancellation.none());

    @Test
    void cornerToCornerOfAThreeDimensionalLatticeIsBuiltDirectly() {
        LatticeDefinition lattice = LatticeDefinition.of(3, 10, List.of());

        PathResult result = PathFinder.find(lattice, new int[] {0, 0, 0}, new int[] {9, 9, 9}, OPTIONS);

        assertThat(result.reachable()).isTrue();
        assertThat(result.length()).isEqualTo(27);
        assertThat(result.method()).isEqualTo("direct");
        assertThat(result.verticesExplored()).isEqualTo(28);
        assertValidPath(lattice, result.path(), new int[] {0, 0, 0}, new int[] {9, 9, 9}, 27);
    }

    @Test
    void aSearchAroundObstaclesFindsTheShortestPath() {
        // a wall at x = 5 with one gap at y = 9, z = 9
        List<List<Integer>> wall = new ArrayList<>();
        for (int y = 0; y < 10; y++) {
            for (int z = 0; z < 10; z++) {
                if (y != 9 || z != 9) {
                    wall.add(List.of(5, y, z));
                }
            }
        }
        LatticeDefinition lattice = LatticeDefinition.of(3, 10, wall);

        PathResult result = PathFinder.find(lattice, new int[] {0, 0, 0}, new int[] {9, 0, 0}, OPTIONS);

        assertThat(result.method()).isEqualTo("search");
        assertThat(result.length()).isEqualTo(9 + 2 * 18);
        assertValidPath(lattice, result.path(), new int[] {0, 0, 0}, new int[] {9, 0, 0}, 45);
    }

    @Test
    void fourDimensionsOfTenHave36000Edges() {
        LatticeDefinition lattice = LatticeDefinition.of(4, 10, null);

        Analysis analysis = Analyzer.analyze(lattice, ANALYSIS);

        assertThat(lattice.vertexCount()).isEqualTo(BigInteger.valueOf(10_000));
        assertThat(lattice.edgeCount()).isEqualTo(BigInteger.valueOf(36_000));
        assertThat(analysis.method()).isEqualTo("closed_form");
        assertThat(analysis.diameter()).isEqualTo(36);
        assertThat(analysis.components()).isEqualTo(BigInteger.ONE);
        assertThat(analysis.degreeHistogram()).isEqualTo(Map.of(4, BigInteger.valueOf(16), 5, BigInteger.valueOf(256),
                6, BigInteger.valueOf(1536), 7, BigInteger.valueOf(4096), 8, BigInteger.valueOf(4096)));
    }

    @Test
    void tenDimensionsOfAThousandAreCountedExactly() {
        LatticeDefinition lattice = LatticeDefinition.of(10, 1000, List.of());
        int[] far = IntStream.range(0, 10).map(i -> 999).toArray();
        List<Integer> farList = IntStream.of(far).boxed().toList();
        LatticeDefinition withCorner = LatticeDefinition.of(10, 1000, List.of(farList));

        Analysis analysis = Analyzer.analyze(lattice, ANALYSIS);

        BigInteger vertices = BigInteger.TEN.pow(30);
        BigInteger edges = new BigInteger("9990" + "0".repeat(27));
        assertThat(lattice.vertexCount()).isEqualTo(vertices);
        assertThat(lattice.edgeCount()).isEqualTo(edges);
        assertThat(withCorner.vertexCount()).isEqualTo(vertices.subtract(BigInteger.ONE));
        assertThat(withCorner.edgeCount()).isEqualTo(edges.subtract(BigInteger.TEN));
        assertThat(analysis.vertices()).isEqualTo(vertices);
        assertThat(analysis.diameter()).isEqualTo(9990);
        assertThat(analysis.degreeHistogram().values().stream().reduce(BigInteger.ZERO, BigInteger::add))
                .isEqualTo(vertices);
        assertThat(analysis.degreeHistogram().get(10)).isEqualTo(BigInteger.ONE.shiftLeft(10));
        // the blocked corner leaves degree 10; its ten neighbours drop from 11 to 10
        assertThat(Analyzer.degreeHistogram(withCorner).get(10)).isEqualTo(BigInteger.valueOf(1024 - 1 + 10));
        assertThat(Analyzer.degreeHistogram(withCorner).get(11))
                .isEqualTo(analysis.degreeHistogram().get(11).subtract(BigInteger.TEN));
        assertThat(Analyzer.degreeHistogram(withCorner).get(19)).isEqualTo(analysis.degreeHistogram().get(19));
        assertThat(lattice.memoryBytes()).isLessThan(1_000);
    }

    @Test
    void aTenDimensionalSearchUsesTwoWordKeys() {
        int[] origin = new int[10];
        int[] far = IntStream.range(0, 10).map(i -> 999).toArray();
        List<List<Integer>> obstacles = new ArrayList<>();
        for (int axis = 0; axis < 10; axis++) {
            Integer[] c = new Integer[10];
            Arrays.fill(c, 0);
            c[axis] = 1;
            if (axis > 0) {
                obstacles.add(List.of(c));
            }
        }
        LatticeDefinition lattice = LatticeDefinition.of(10, 1000, obstacles);
        assertThat(lattice.packing().words).isEqualTo(2);

        PathResult result = PathFinder.find(lattice, origin, far, new PathOptions(20_000, 5_000_000,
                Cancellation.none()));

        assertThat(result.method()).isEqualTo("search");
        assertThat(result.length()).isEqualTo(9990);
        assertThat(result.path().get(1)).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertValidPath(lattice, result.path(), origin, far, 9990);
    }

    @Test
    void manyObstaclesInTenDimensionsStaySmallAndCountExactly() {
        Random random = new Random(12);
        List<List<Integer>> obstacles = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            obstacles.add(IntStream.range(0, 10).map(a -> random.nextInt(3)).boxed().toList());
        }
        LatticeDefinition lattice = LatticeDefinition.of(10, 1000, obstacles);

        Set<List<Integer>> distinct = new HashSet<>(obstacles);
        long touching = 0;
        long between = 0;
        for (List<Integer> obstacle : distinct) {
            for (int axis = 0; axis < 10; axis++) {
                for (int step = -1; step <= 1; step += 2) {
                    List<Integer> other = new ArrayList<>(obstacle);
                    other.set(axis, other.get(axis) + step);
                    if (other.get(axis) >= 0 && other.get(axis) < 1000) {
                        touching++;
                        between += distinct.contains(other) ? 1 : 0;
                    }
                }
            }
        }
        BigInteger full = new BigInteger("9990" + "0".repeat(27));
        assertThat(lattice.obstacleCount()).isEqualTo(distinct.size());
        assertThat(lattice.vertexCount())
                .isEqualTo(BigInteger.TEN.pow(30).subtract(BigInteger.valueOf(distinct.size())));
        assertThat(lattice.edgeCount()).isEqualTo(full.subtract(BigInteger.valueOf(touching - between / 2)));
        // two longs per key in a table at most half full: 16 bytes × 2^17 slots for ≤ 50,000 keys
        assertThat(lattice.memoryBytes()).isBetween(16L * distinct.size(), 2_200_000L);
    }

    @Test
    void duplicateObstaclesCollapseAndAreSorted() {
        LatticeDefinition lattice = LatticeDefinition.of(2, 3, List.of(List.of(1, 1), List.of(0, 2), List.of(1, 1)));

        assertThat(lattice.obstacles()).containsExactly(List.of(0, 2), List.of(1, 1));
        assertThat(lattice.vertexCount()).isEqualTo(BigInteger.valueOf(7));
        assertThat(lattice.edgeCount()).isEqualTo(BigInteger.valueOf(12 - 4 - 2));
    }

    @Test
    void inputErrorsNameTheirField() {
        assertInputError(() -> LatticeDefinition.of(0, 10, List.of()), "dimensions", "at least 1");
        assertInputError(() -> LatticeDefinition.of(2, 0, List.of()), "size", "at least 1");
        assertInputError(() -> LatticeDefinition.of(2, 3, List.of(List.of(0, 0), List.of(1))), "obstacles",
                "obstacle 1 must have 2 coordinates");
        assertInputError(() -> LatticeDefinition.of(2, 3, List.of(List.of(0, 0), List.of(1, 1), List.of(1, 3))),
                "obstacles", "obstacle 2 coordinate 1 must be between 0 and 2");
        assertInputError(() -> LatticeDefinition.of(2, 3, List.of(List.of(-1, 0))), "obstacles", "obstacle 0");
        LatticeDefinition lattice = LatticeDefinition.of(2, 3, List.of(List.of(1, 1)));
        assertInputError(() -> lattice.vertex("start", List.of(0)), "start", "start must have 2 coordinates");
        assertInputError(() -> lattice.vertex("end", List.of(0, 3)), "end", "end coordinate 1 must be between 0 and 2");
        assertInputError(() -> lattice.vertex("start", List.of(1, 1)), "start", "start is an obstacle");
        assertInputError(() -> PathFinder.find(lattice, new int[] {0, 0}, new int[] {1, 1}, OPTIONS), "end",
                "obstacle");
        assertInputError(() -> PathFinder.find(lattice, new int[] {0, 0, 0}, new int[] {2, 2}, OPTIONS), "start",
                "coordinates");
        // the same lattice answers valid vertices
        assertThat(lattice.vertex("start", List.of(0, 1))).containsExactly(0, 1);
        assertThat(PathFinder.find(lattice, new int[] {0, 0}, new int[] {2, 2}, OPTIONS).length()).isEqualTo(4);
    }

    @Test
    void aPastDeadlineStopsABigSearch() {
        LatticeDefinition lattice = wallWithFarGap();

        assertThatThrownBy(() -> PathFinder.find(lattice, new int[] {49_999, 0}, new int[] {50_001, 0},
                new PathOptions(100, 10_000_000, Cancellation.deadline(System.nanoTime() - 1))))
                .isInstanceOf(ComputeCancelledException.class);
        // without a deadline the same search runs on until its vertex budget is spent
        assertThatThrownBy(() -> PathFinder.find(lattice, new int[] {49_999, 0}, new int[] {50_001, 0},
                new PathOptions(100, 200_000, Cancellation.deadline(System.nanoTime() + 60_000_000_000L))))
                .isInstanceOfSatisfying(SearchLimitExceededException.class,
                        e -> assertThat(e.limit()).isEqualTo(200_000));
    }

    @Test
    void anInterruptedThreadStopsABigSearchAndABigScan() {
        LatticeDefinition lattice = wallWithFarGap();
        LatticeDefinition scanned = LatticeDefinition.of(3, 100, List.of(List.of(50, 50, 50)));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> PathFinder.find(lattice, new int[] {49_999, 0}, new int[] {50_001, 0},
                    new PathOptions(100, 10_000_000, Cancellation.none())))
                    .isInstanceOf(ComputeCancelledException.class);
            assertThatThrownBy(() -> Analyzer.analyze(scanned, ANALYSIS)).isInstanceOf(ComputeCancelledException.class);
        } finally {
            assertThat(Thread.interrupted()).isTrue();
        }
        Analysis analysis = Analyzer.analyze(scanned, ANALYSIS);
        assertThat(analysis.method()).isEqualTo("scan");
        assertThat(analysis.components()).isEqualTo(BigInteger.ONE);
        assertThat(analysis.diameter()).isEqualTo(297);
    }

    @Test
    void aDeadlineStopsAScan() {
        LatticeDefinition lattice = LatticeDefinition.of(3, 100, List.of(List.of(50, 50, 50)));

        assertThatThrownBy(() -> Analyzer.analyze(lattice,
                new AnalysisOptions(2_000_000, Cancellation.deadline(System.nanoTime() - 1))))
                .isInstanceOf(ComputeCancelledException.class);
    }

    @Test
    void anEnclosedEndOfAHugeLatticeIsUnreachableAfterAFewVertices() {
        List<List<Integer>> box = neighbours(500, 500, 500);
        LatticeDefinition enclosed = LatticeDefinition.of(3, 1000, box);
        LatticeDefinition open = LatticeDefinition.of(3, 1000, box.subList(1, box.size()));

        PathResult toEnclosed = PathFinder.find(enclosed, new int[] {0, 0, 0}, new int[] {500, 500, 500}, OPTIONS);
        PathResult fromEnclosed = PathFinder.find(enclosed, new int[] {500, 500, 500}, new int[] {0, 0, 0}, OPTIONS);
        PathResult toOpened = PathFinder.find(open, new int[] {0, 0, 0}, new int[] {500, 500, 500}, OPTIONS);

        assertThat(toEnclosed.reachable()).isFalse();
        assertThat(toEnclosed.length()).isEqualTo(-1);
        assertThat(toEnclosed.path()).isEmpty();
        assertThat(toEnclosed.verticesExplored()).isLessThan(20);
        assertThat(fromEnclosed.reachable()).isFalse();
        assertThat(fromEnclosed.verticesExplored()).isLessThan(20);
        assertThat(toOpened.reachable()).isTrue();
        assertThat(toOpened.length()).isEqualTo(1500);
    }

    @Test
    void longPathsAreTruncatedButKeepTheirLength() {
        LatticeDefinition free = LatticeDefinition.of(3, 10, List.of());
        LatticeDefinition blocked = LatticeDefinition.of(3, 10, List.of(List.of(5, 5, 5)));
        PathOptions five = new PathOptions(5, 1_000_000, Cancellation.none());

        PathResult direct = PathFinder.find(free, new int[] {0, 0, 0}, new int[] {9, 9, 9}, five);
        PathResult searched = PathFinder.find(blocked, new int[] {0, 0, 0}, new int[] {9, 9, 9}, five);

        for (PathResult result : List.of(direct, searched)) {
            assertThat(result.length()).isEqualTo(27);
            assertThat(result.truncated()).isTrue();
            assertThat(result.path()).hasSize(5);
            assertThat(result.path().get(0)).containsExactly(0, 0, 0);
            for (int i = 1; i < 5; i++) {
                assertThat(SearchFrontier.manhattan(result.path().get(i - 1), result.path().get(i))).isEqualTo(1);
                assertThat(SearchFrontier.manhattan(result.path().get(i), new int[] {0, 0, 0})).isEqualTo(i);
            }
        }
        assertThat(PathFinder.find(free, new int[] {0, 0, 0}, new int[] {9, 9, 9},
                new PathOptions(28, 1_000_000, Cancellation.none())).truncated()).isFalse();
    }

    @Test
    void aScanOfATooLargeLatticeIsRefusedWithItsLimit() {
        LatticeDefinition big = LatticeDefinition.of(3, 1000, List.of(List.of(1, 2, 3)));

        assertThatThrownBy(() -> Analyzer.analyze(big, new AnalysisOptions(1_000_000, Cancellation.none())))
                .isInstanceOfSatisfying(TooLargeToAnalyzeException.class,
                        e -> assertThat(e.limit()).isEqualTo(1_000_000));
        // at the limit exactly it scans
        LatticeDefinition atLimit = LatticeDefinition.of(3, 100, List.of(List.of(0, 0, 0)));
        Analysis analysis = Analyzer.analyze(atLimit, new AnalysisOptions(1_000_000, Cancellation.none()));
        assertThat(analysis.diameter()).isEqualTo(297);
        assertThat(analysis.vertices()).isEqualTo(BigInteger.valueOf(999_999));
        // and without obstacles nothing is scanned at any size
        assertThat(Analyzer.analyze(LatticeDefinition.of(3, 1000, List.of()),
                new AnalysisOptions(1, Cancellation.none())).method()).isEqualTo("closed_form");
    }

    @Test
    void componentsAndDiametersOfASplitLattice() {
        // a 1-D line of 10 cut at 3 and 7: pieces 0-2, 4-6, 8-9
        LatticeDefinition line = LatticeDefinition.of(1, 10, List.of(List.of(3), List.of(7)));
        LatticeDefinition all = LatticeDefinition.of(1, 2, List.of(List.of(0), List.of(1)));
        LatticeDefinition single = LatticeDefinition.of(2, 1, List.of());

        Analysis pieces = Analyzer.analyze(line, ANALYSIS);
        Analysis none = Analyzer.analyze(all, ANALYSIS);
        Analysis one = Analyzer.analyze(single, ANALYSIS);

        assertThat(pieces.components()).isEqualTo(BigInteger.valueOf(3));
        assertThat(pieces.diameter()).isEqualTo(2);
        assertThat(pieces.edges()).isEqualTo(BigInteger.valueOf(5));
        assertThat(none.components()).isEqualTo(BigInteger.ZERO);
        assertThat(none.vertices()).isEqualTo(BigInteger.ZERO);
        assertThat(none.degreeHistogram()).isEmpty();
        assertThat(none.diameter()).isZero();
        assertThat(one.degreeHistogram()).isEqualTo(Map.of(0, BigInteger.ONE));
        assertThat(one.diameter()).isZero();
        assertThat(PathFinder.find(single, new int[] {0, 0}, new int[] {0, 0}, OPTIONS).length()).isZero();
    }

    /** 2-D, n = 100,000, a wall at x = 50,000 open only at the far end: A* has to flood a large area. */
    private static LatticeDefinition wallWithFarGap() {
        List<List<Integer>> wall = new ArrayList<>();
        for (int y = 0; y < 99_999; y++) {
            wall.add(List.of(50_000, y));
        }
        return LatticeDefinition.of(2, 100_000, wall);
    }

    private static List<List<Integer>> neighbours(int x, int y, int z) {
        return List.of(List.of(x - 1, y, z), List.of(x + 1, y, z), List.of(x, y - 1, z), List.of(x, y + 1, z),
                List.of(x, y, z - 1), List.of(x, y, z + 1));
    }

    private static void assertInputError(Runnable call, String field, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(LatticeInputException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
