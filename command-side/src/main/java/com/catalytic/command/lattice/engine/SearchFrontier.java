package com.catalytic.command.lattice.engine;

import java.util.Arrays;

/**
 * One direction of the path search: A* from {@code source} towards {@code target} over the implicit lattice, with
 * the Manhattan distance as heuristic (consistent on a unit grid, so a vertex is final when it is first taken) and
 * ties broken towards the larger g. Every vertex it has seen is one entry (packed key, g, parent) in primitive
 * arrays, found through an open-addressing index; the open set is a binary heap of (priority, entry) pairs.
 * About 30 bytes per seen vertex with one-word keys.
 */
final class SearchFrontier {

    private static final int NONE = -1;

    private final LatticeDefinition lattice;
    private final CoordinatePacking packing;
    private final int words;
    private final int size;
    private final int[] target;
    private final long[] targetKey;
    private final long originF;
    private final int[] coordinates;
    private final long[] neighbour;

    private long[] keys;
    private int[] parent;
    private int[] g;
    private boolean[] closed;
    private int entries;

    private int[] index;
    private int indexMask;

    private long[] heapPriority;
    private int[] heapEntry;
    private int heapSize;

    private int reached = NONE;
    private boolean exhausted;

    SearchFrontier(LatticeDefinition lattice, int[] source, int[] target) {
        this.lattice = lattice;
        this.packing = lattice.packing();
        this.words = packing.words;
        this.size = lattice.size();
        this.target = target.clone();
        this.targetKey = new long[words];
        packing.pack(target, targetKey, 0);
        this.coordinates = new int[lattice.dimensions()];
        this.neighbour = new long[words];
        this.originF = manhattan(source, target);
        int initial = 256;
        keys = new long[initial * words];
        parent = new int[initial];
        g = new int[initial];
        closed = new boolean[initial];
        index = new int[initial * 2];
        indexMask = index.length - 1;
        heapPriority = new long[initial];
        heapEntry = new int[initial];
        long[] sourceKey = new long[words];
        packing.pack(source, sourceKey, 0);
        int id = insert(sourceKey, 0, NONE, 0);
        push(originF, 0, id);
    }

    /** Takes the best open vertex and opens its neighbours; false when the source's component is exhausted. */
    boolean step() {
        while (heapSize > 0) {
            int id = pop();
            if (closed[id]) {
                continue;
            }
            closed[id] = true;
            if (CoordinatePacking.equal(keys, id * words, targetKey, 0, words)) {
                reached = id;
                return true;
            }
            expand(id);
            return true;
        }
        exhausted = true;
        return false;
    }

    boolean reachedTarget() {
        return reached != NONE;
    }

    boolean exhausted() {
        return exhausted;
    }

    /** Vertices seen (opened or closed). */
    int seen() {
        return entries;
    }

    long distance() {
        return g[reached];
    }

    /** Entries from the target back to the source. */
    int[] chainFromTarget(int limit) {
        int length = Math.min(limit, g[reached] + 1);
        int[] chain = new int[length];
        int id = reached;
        for (int i = 0; i < length; i++) {
            chain[i] = id;
            id = parent[id];
        }
        return chain;
    }

    int[] vertex(int id) {
        int[] vertex = new int[coordinates.length];
        packing.unpack(keys, id * words, vertex);
        return vertex;
    }

    private void expand(int id) {
        int offset = id * words;
        packing.unpack(keys, offset, coordinates);
        long h = manhattan(coordinates, target);
        int nextG = g[id] + 1;
        for (int axis = 0; axis < coordinates.length; axis++) {
            int c = coordinates[axis];
            int t = target[axis];
            long unit = packing.unit(axis);
            int word = packing.wordOf(axis);
            if (c > 0) {
                open(id, offset, word, -unit, nextG, c > t ? h - 1 : h + 1);
            }
            if (c < size - 1) {
                open(id, offset, word, unit, nextG, c < t ? h - 1 : h + 1);
            }
        }
    }

    private void open(int from, int fromOffset, int word, long delta, int nextG, long h) {
        System.arraycopy(keys, fromOffset, neighbour, 0, words);
        neighbour[word] += delta;
        if (lattice.isBlockedKey(neighbour, 0)) {
            return;
        }
        int slot = CoordinatePacking.hash(neighbour, 0, words) & indexMask;
        int id;
        while ((id = index[slot] - 1) != NONE) {
            if (CoordinatePacking.equal(keys, id * words, neighbour, 0, words)) {
                if (!closed[id] && nextG < g[id]) {
                    g[id] = nextG;
                    parent[id] = from;
                    push(nextG + h, nextG, id);
                }
                return;
            }
            slot = (slot + 1) & indexMask;
        }
        push(nextG + h, nextG, insert(neighbour, 0, from, nextG));
    }

    private int insert(long[] key, int keyOffset, int from, int distance) {
        if (entries == parent.length) {
            int capacity = entries * 2;
            keys = Arrays.copyOf(keys, capacity * words);
            parent = Arrays.copyOf(parent, capacity);
            g = Arrays.copyOf(g, capacity);
            closed = Arrays.copyOf(closed, capacity);
        }
        int id = entries++;
        System.arraycopy(key, keyOffset, keys, id * words, words);
        parent[id] = from;
        g[id] = distance;
        if (2L * entries > index.length) {
            rebuildIndex(index.length * 2);
        } else {
            place(id);
        }
        return id;
    }

    private void rebuildIndex(int capacity) {
        index = new int[capacity];
        indexMask = capacity - 1;
        for (int id = 0; id < entries; id++) {
            place(id);
        }
    }

    private void place(int id) {
        int slot = CoordinatePacking.hash(keys, id * words, words) & indexMask;
        while (index[slot] != 0) {
            slot = (slot + 1) & indexMask;
        }
        index[slot] = id + 1;
    }

    /** f − f(source) ≥ 0 (consistent heuristic) in the high bits, then larger g first. */
    private void push(long f, int distance, int id) {
        long priority = ((f - originF) << 31) | (Integer.MAX_VALUE - distance);
        if (heapSize == heapPriority.length) {
            heapPriority = Arrays.copyOf(heapPriority, heapSize * 2);
            heapEntry = Arrays.copyOf(heapEntry, heapSize * 2);
        }
        int i = heapSize++;
        while (i > 0) {
            int up = (i - 1) >>> 1;
            if (heapPriority[up] <= priority) {
                break;
            }
            heapPriority[i] = heapPriority[up];
            heapEntry[i] = heapEntry[up];
            i = up;
        }
        heapPriority[i] = priority;
        heapEntry[i] = id;
    }

    private int pop() {
        int top = heapEntry[0];
        int last = --heapSize;
        long priority = heapPriority[last];
        int entry = heapEntry[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && heapPriority[child + 1] < heapPriority[child]) {
                child++;
            }
            if (heapPriority[child] >= priority) {
                break;
            }
            heapPriority[i] = heapPriority[child];
            heapEntry[i] = heapEntry[child];
            i = child;
        }
        if (last > 0) {
            heapPriority[i] = priority;
            heapEntry[i] = entry;
        }
        return top;
    }

    static long manhattan(int[] a, int[] b) {
        long distance = 0;
        for (int axis = 0; axis < a.length; axis++) {
            distance += Math.abs(a[axis] - b[axis]);
        }
        return distance;
    }
}
