package com.catalytic.command.lattice.engine;

import java.util.Arrays;

/**
 * Components and exact diameter of a lattice with obstacles, over all n^d positions as array indices. Each
 * component is found by a BFS; its diameter by iFUB (Crescenzi et al. 2013): a 4-sweep picks a central vertex u,
 * then the eccentricities of u's BFS levels are taken from the farthest level down until the lower bound exceeds
 * twice the next level, which on grids ends after a level or two. A component whose size or upper bound cannot
 * beat the diameter found so far is not swept. Memory: four bitsets over the positions (blocked, in a component,
 * seen by this sweep, middle level) and two int queues over the free vertices: about n^d/2 + 8·(free) bytes, plus
 * the level offsets of one sweep.
 */
final class LatticeScan {

    /** Positions must fit int array indices. */
    static final long MAX_POSITIONS = Integer.MAX_VALUE - 64;
    private static final int CHECK_EVERY = 4096;

    private final int positions;
    private final int d;
    private final int n;
    private final int[] stride;
    private final long[] blocked;
    private final long[] inComponent;
    private final long[] seen;
    private final long[] middle;
    private final int[] queueA;
    private final int[] queueB;
    private final int[] coordinates;
    private final Cancellation cancellation;
    private int[] levelsA = new int[64];
    private int[] levelsB = new int[64];
    private int levelCount;
    private long visits;
    private long components;
    private long diameter;

    private LatticeScan(LatticeDefinition lattice, int positions, Cancellation cancellation) {
        this.positions = positions;
        this.d = lattice.dimensions();
        this.n = lattice.size();
        this.cancellation = cancellation;
        this.stride = new int[d];
        for (int axis = 0, s = 1; axis < d; axis++, s *= n) {
            stride[axis] = s;
        }
        int bitsetWords = (positions + 63) >>> 6;
        this.blocked = new long[bitsetWords];
        this.inComponent = new long[bitsetWords];
        this.seen = new long[bitsetWords];
        this.middle = new long[bitsetWords];
        CoordinatePacking packing = lattice.packing();
        long[] keys = lattice.obstacleKeys();
        this.coordinates = new int[d];
        for (int offset = 0; offset < keys.length; offset += packing.words) {
            packing.unpack(keys, offset, coordinates);
            set(blocked, position(coordinates));
        }
        int free = positions - lattice.obstacleCount();
        this.queueA = new int[free];
        this.queueB = new int[free];
    }

    static LatticeScan run(LatticeDefinition lattice, int positions, Cancellation cancellation) {
        LatticeScan scan = new LatticeScan(lattice, positions, cancellation);
        scan.scan();
        return scan;
    }

    long components() {
        return components;
    }

    long diameter() {
        return diameter;
    }

    /** Vertices taken from a BFS queue, over all sweeps. */
    long visits() {
        return visits;
    }

    private void scan() {
        for (int v = 0; v < positions; v++) {
            if ((v & (CHECK_EVERY - 1)) == 0) {
                cancellation.check();
            }
            if (get(blocked, v) || get(inComponent, v)) {
                continue;
            }
            components++;
            int size = bfs(v, queueA, inComponent, null);
            if (size - 1 > diameter) {
                diameter = Math.max(diameter, componentDiameter(v, size));
            }
        }
    }

    private long componentDiameter(int someVertex, int size) {
        int a = queueA[size - 1];
        bfs(a, queueB, seen, levelsB);
        int eccA = levelCount - 1;
        clear(seen, queueB, size);
        int b = queueB[size - 1];
        int half = eccA / 2;
        for (int i = levelsB[half]; i < levelsB[half + 1]; i++) {
            set(middle, queueB[i]);
        }
        bfs(b, queueB, seen, levelsB);
        int eccB = levelCount - 1;
        clear(seen, queueB, size);
        int u = someVertex;
        int level = eccA - half;
        for (int i = levelsB[level]; i < levelsB[level + 1]; i++) {
            if (get(middle, queueB[i])) {
                u = queueB[i];
                break;
            }
        }
        clear(middle, queueB, size);
        long lower = Math.max(eccA, eccB);
        bfs(u, queueA, seen, levelsA);
        int eccU = levelCount - 1;
        clear(seen, queueA, size);
        lower = Math.max(lower, eccU);
        long upper = Math.min(2L * eccU, size - 1);
        int[] levels = levelsA;
        for (int i = eccU; lower < upper && upper > diameter && i > 0; i--) {
            for (int j = levels[i]; j < levels[i + 1] && lower < upper; j++) {
                bfs(queueA[j], queueB, seen, null);
                lower = Math.max(lower, levelCount - 1);
                clear(seen, queueB, size);
            }
            if (lower > 2L * (i - 1)) {
                break;
            }
            upper = 2L * (i - 1);
        }
        return lower;
    }

    /**
     * Breadth-first from {@code source}, marking {@code mark}; {@link #levelCount} is its eccentricity + 1 and,
     * when {@code levels} is given, level i is queue[levels[i] .. levels[i+1]).
     */
    private int bfs(int source, int[] queue, long[] mark, int[] levels) {
        queue[0] = source;
        set(mark, source);
        int head = 0;
        int tail = 1;
        int levelEnd = 1;
        int count = 1;
        if (levels != null) {
            levels[0] = 0;
        }
        while (head < tail) {
            if (head == levelEnd) {
                levelEnd = tail;
                if (levels != null) {
                    levels = ensure(levels, count + 1);
                    levels[count] = head;
                }
                count++;
            }
            int v = queue[head++];
            if ((++visits & (CHECK_EVERY - 1)) == 0) {
                cancellation.check();
            }
            int rest = v;
            for (int axis = 0; axis < d; axis++) {
                int c = rest % n;
                rest /= n;
                if (c > 0) {
                    int w = v - stride[axis];
                    if (!get(blocked, w) && !get(mark, w)) {
                        set(mark, w);
                        queue[tail++] = w;
                    }
                }
                if (c < n - 1) {
                    int w = v + stride[axis];
                    if (!get(blocked, w) && !get(mark, w)) {
                        set(mark, w);
                        queue[tail++] = w;
                    }
                }
            }
        }
        if (levels != null) {
            levels = ensure(levels, count + 1);
            levels[count] = tail;
        }
        levelCount = count;
        return tail;
    }

    private int[] ensure(int[] levels, int index) {
        if (index < levels.length) {
            return levels;
        }
        int[] grown = Arrays.copyOf(levels, levels.length * 2);
        if (levels == levelsA) {
            levelsA = grown;
        } else {
            levelsB = grown;
        }
        return grown;
    }

    private int position(int[] c) {
        int p = 0;
        for (int axis = 0; axis < d; axis++) {
            p += c[axis] * stride[axis];
        }
        return p;
    }

    private static void clear(long[] bits, int[] queue, int count) {
        for (int i = 0; i < count; i++) {
            bits[queue[i] >>> 6] &= ~(1L << queue[i]);
        }
    }

    private static boolean get(long[] bits, int i) {
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    private static void set(long[] bits, int i) {
        bits[i >>> 6] |= 1L << i;
    }
}
