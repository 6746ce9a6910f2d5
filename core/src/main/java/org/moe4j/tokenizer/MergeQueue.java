package org.moe4j.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of candidate merges of two adjacent symbols, ordered by priority and then by the left
 * symbol's position (the reference breaks ties leftmost first). Stored in parallel primitive arrays because a
 * long text queues millions of candidates; entries that went stale are discarded by the caller when popped.
 */
final class MergeQueue {
    private long[] priority = new long[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] auxA = new int[64];
    private int[] auxB = new int[64];
    private int size;

    /** Fields of the entry returned by the last {@link #pop()}. */
    int poppedLeft;
    int poppedRight;
    int poppedA;
    int poppedB;

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    void push(long prio, int l, int r, int a, int b) {
        if (size == priority.length) {
            int cap = size * 2;
            priority = Arrays.copyOf(priority, cap);
            left = Arrays.copyOf(left, cap);
            right = Arrays.copyOf(right, cap);
            auxA = Arrays.copyOf(auxA, cap);
            auxB = Arrays.copyOf(auxB, cap);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(prio, l, priority[parent], left[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, prio, l, r, a, b);
    }

    void pop() {
        poppedLeft = left[0];
        poppedRight = right[0];
        poppedA = auxA[0];
        poppedB = auxB[0];
        int last = --size;
        if (last == 0) {
            return;
        }
        long prio = priority[last];
        int l = left[last];
        int r = right[last];
        int a = auxA[last];
        int b = auxB[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && less(priority[child + 1], left[child + 1], priority[child], left[child])) {
                child++;
            }
            if (!less(priority[child], left[child], prio, l)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, prio, l, r, a, b);
    }

    private static boolean less(long p1, int l1, long p2, int l2) {
        return p1 < p2 || (p1 == p2 && l1 < l2);
    }

    private void move(int from, int to) {
        priority[to] = priority[from];
        left[to] = left[from];
        right[to] = right[from];
        auxA[to] = auxA[from];
        auxB[to] = auxB[from];
    }

    private void set(int i, long prio, int l, int r, int a, int b) {
        priority[i] = prio;
        left[i] = l;
        right[i] = r;
        auxA[i] = a;
        auxB[i] = b;
    }
}
