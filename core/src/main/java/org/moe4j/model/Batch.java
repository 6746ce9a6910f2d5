package org.moe4j.model;

import java.util.Arrays;

/**
 * Tokens evaluated together in one forward pass. Each token belongs to a sequence (a slot of the
 * {@link KVCache}) and sits at a position in it; tokens of several sequences may share a batch
 * (continuous batching). A token sees the cached keys of its own slot at positions up to its own.
 */
public final class Batch {
    private int size;
    private int[] tokens;
    private int[] positions;
    private int[] slots;
    private boolean[] logits;

    public Batch(int capacity) {
        tokens = new int[capacity];
        positions = new int[capacity];
        slots = new int[capacity];
        logits = new boolean[capacity];
    }

    /** A batch of consecutive tokens of one sequence starting at {@code startPos}; logits for every token or the last. */
    public static Batch of(int[] ids, int startPos, int slot, boolean allLogits) {
        Batch b = new Batch(Math.max(1, ids.length));
        for (int i = 0; i < ids.length; i++) {
            b.add(ids[i], startPos + i, slot, allLogits || i == ids.length - 1);
        }
        return b;
    }

    public void clear() {
        size = 0;
    }

    public Batch add(int token, int position, int slot, boolean wantLogits) {
        if (size == tokens.length) {
            int cap = Math.max(8, size * 2);
            tokens = Arrays.copyOf(tokens, cap);
            positions = Arrays.copyOf(positions, cap);
            slots = Arrays.copyOf(slots, cap);
            logits = Arrays.copyOf(logits, cap);
        }
        tokens[size] = token;
        positions[size] = position;
        slots[size] = slot;
        logits[size] = wantLogits;
        size++;
        return this;
    }

    public int size() { return size; }
    public int token(int i) { return tokens[i]; }
    public int position(int i) { return positions[i]; }
    public int slot(int i) { return slots[i]; }
    public boolean wantsLogits(int i) { return logits[i]; }

    public int logitCount() {
        int c = 0;
        for (int i = 0; i < size; i++) if (logits[i]) c++;
        return c;
    }
}
