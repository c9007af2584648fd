package com.catalytic.command.lattice.engine;

import java.util.Arrays;

/** Open-addressing (linear probing) set of packed coordinate keys, at most half full; no object per key. */
final class PackedKeySet {

    private static final long EMPTY = -1L;

    private final int words;
    private long[] slots;
    private int mask;
    private int count;

    PackedKeySet(int words, int expected) {
        this.words = words;
        allocate(capacityFor(expected));
    }

    static int capacityFor(int expected) {
        int capacity = 4;
        while (capacity < 2L * expected) {
            capacity <<= 1;
        }
        return capacity;
    }

    private void allocate(int capacity) {
        slots = new long[capacity * words];
        Arrays.fill(slots, EMPTY);
        mask = capacity - 1;
    }

    /** @return false when the key was already present */
    boolean add(long[] key, int offset) {
        if (2L * (count + 1) > mask + 1) {
            grow();
        }
        int slot = CoordinatePacking.hash(key, offset, words) & mask;
        while (slots[slot * words] != EMPTY) {
            if (CoordinatePacking.equal(slots, slot * words, key, offset, words)) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        System.arraycopy(key, offset, slots, slot * words, words);
        count++;
        return true;
    }

    boolean contains(long[] key, int offset) {
        if (count == 0) {
            return false;
        }
        int slot = CoordinatePacking.hash(key, offset, words) & mask;
        while (slots[slot * words] != EMPTY) {
            if (CoordinatePacking.equal(slots, slot * words, key, offset, words)) {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    int size() {
        return count;
    }

    /** The keys, {@code words} longs each, in no particular order. */
    long[] keys() {
        long[] keys = new long[count * words];
        int next = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (slots[slot * words] != EMPTY) {
                System.arraycopy(slots, slot * words, keys, next, words);
                next += words;
            }
        }
        return keys;
    }

    long memoryBytes() {
        return 32 + 16 + 8L * slots.length;
    }

    private void grow() {
        long[] old = slots;
        allocate((mask + 1) * 2);
        count = 0;
        for (int offset = 0; offset < old.length; offset += words) {
            if (old[offset] != EMPTY) {
                add(old, offset);
            }
        }
    }
}
