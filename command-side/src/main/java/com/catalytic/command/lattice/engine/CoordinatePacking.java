package com.catalytic.command.lattice.engine;

/**
 * Packs a vertex's coordinates into words of 63 bits, ceil(log2 n) bits per axis, axis 0 in the highest bits of
 * word 0: comparing keys word by word compares coordinates lexicographically, and no word is negative, so -1 can
 * mark an empty slot. d = 3, n = 100 is one word; d = 10, n = 1000 (10^30 vertices) is two.
 */
final class CoordinatePacking {

    final int dimensions;
    final int size;
    final int words;
    private final long axisMask;
    private final int[] wordOf;
    private final int[] shiftOf;

    CoordinatePacking(int dimensions, int size) {
        this.dimensions = dimensions;
        this.size = size;
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(size - 1));
        int axesPerWord = 63 / bits;
        this.words = (dimensions + axesPerWord - 1) / axesPerWord;
        this.axisMask = (1L << bits) - 1;
        this.wordOf = new int[dimensions];
        this.shiftOf = new int[dimensions];
        for (int axis = 0; axis < dimensions; axis++) {
            int word = axis / axesPerWord;
            int axesInWord = Math.min(axesPerWord, dimensions - word * axesPerWord);
            wordOf[axis] = word;
            shiftOf[axis] = (axesInWord - 1 - axis % axesPerWord) * bits;
        }
    }

    void pack(int[] coordinates, long[] into, int offset) {
        for (int w = 0; w < words; w++) {
            into[offset + w] = 0;
        }
        for (int axis = 0; axis < dimensions; axis++) {
            into[offset + wordOf[axis]] |= (long) coordinates[axis] << shiftOf[axis];
        }
    }

    void unpack(long[] keys, int offset, int[] into) {
        for (int axis = 0; axis < dimensions; axis++) {
            into[axis] = (int) ((keys[offset + wordOf[axis]] >>> shiftOf[axis]) & axisMask);
        }
    }

    int coordinate(long[] keys, int offset, int axis) {
        return (int) ((keys[offset + wordOf[axis]] >>> shiftOf[axis]) & axisMask);
    }

    int wordOf(int axis) {
        return wordOf[axis];
    }

    /** What adding one to the axis's coordinate adds to its word. */
    long unit(int axis) {
        return 1L << shiftOf[axis];
    }

    long memoryBytes() {
        return 32 + 2 * (16 + 4L * dimensions);
    }

    static int hash(long[] keys, int offset, int words) {
        long h = keys[offset];
        for (int w = 1; w < words; w++) {
            h = h * 0x9E3779B97F4A7C15L + keys[offset + w];
        }
        h ^= h >>> 31;
        h *= 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    static boolean equal(long[] a, int aOffset, long[] b, int bOffset, int words) {
        for (int w = 0; w < words; w++) {
            if (a[aOffset + w] != b[bOffset + w]) {
                return false;
            }
        }
        return true;
    }
}
