package org.moe4j.moe.cache;

/** The keys currently resident, for policies to scan: add, remove and membership in O(1). */
final class ResidentSet {
    private final int[] position;
    private int[] keys = new int[16];
    private int size;

    ResidentSet(int keyCount) {
        position = new int[keyCount];
        java.util.Arrays.fill(position, -1);
    }

    void add(int key) {
        if (position[key] >= 0) return;
        if (size == keys.length) keys = java.util.Arrays.copyOf(keys, size * 2);
        position[key] = size;
        keys[size++] = key;
    }

    void remove(int key) {
        int p = position[key];
        if (p < 0) return;
        int last = keys[--size];
        keys[p] = last;
        position[last] = p;
        position[key] = -1;
    }

    boolean contains(int key) {
        return position[key] >= 0;
    }

    int size() {
        return size;
    }

    int get(int i) {
        return keys[i];
    }
}
