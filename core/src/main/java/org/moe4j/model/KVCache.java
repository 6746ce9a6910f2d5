package org.moe4j.model;

/**
 * Keys and values of past tokens, per layer, for a number of sequence slots of {@code contextLength}
 * positions each. Row {@code (slot, pos)} of layer {@code l} holds {@code keyWidth(l)} key floats and
 * {@code valueWidth(l)} value floats. Attention with a compressed cache (MLA) stores its latent in the key
 * rows and has no value rows. Stored as float32, as the reference's F32 cache.
 */
public final class KVCache {
    private final int slots;
    private final int contextLength;
    private final int[] keyWidth;
    private final int[] valueWidth;
    private final float[][] keys;
    private final float[][] values;
    private final int[] length;

    public KVCache(int slots, int contextLength, int[] keyWidth, int[] valueWidth) {
        if (slots < 1 || contextLength < 1) {
            throw new IllegalArgumentException("slots and context length must be positive");
        }
        this.slots = slots;
        this.contextLength = contextLength;
        this.keyWidth = keyWidth.clone();
        this.valueWidth = valueWidth.clone();
        this.keys = new float[keyWidth.length][];
        this.values = new float[keyWidth.length][];
        for (int l = 0; l < keyWidth.length; l++) {
            keys[l] = new float[Math.multiplyExact(Math.multiplyExact(slots, contextLength), keyWidth[l])];
            values[l] = new float[Math.multiplyExact(Math.multiplyExact(slots, contextLength), valueWidth[l])];
        }
        this.length = new int[slots];
    }

    public int slots() { return slots; }
    public int contextLength() { return contextLength; }
    public int keyWidth(int layer) { return keyWidth[layer]; }
    public int valueWidth(int layer) { return valueWidth[layer]; }
    public float[] keys(int layer) { return keys[layer]; }
    public float[] values(int layer) { return values[layer]; }

    /** Offset of row {@code (slot, pos)} in {@link #keys(int)} of a layer. */
    public int keyOffset(int layer, int slot, int pos) {
        return (slot * contextLength + pos) * keyWidth[layer];
    }

    public int valueOffset(int layer, int slot, int pos) {
        return (slot * contextLength + pos) * valueWidth[layer];
    }

    /** Number of positions of a slot holding valid entries (maintained by the forward pass). */
    public int length(int slot) {
        return length[slot];
    }

    void extend(int slot, int pos) {
        if (pos + 1 > length[slot]) length[slot] = pos + 1;
    }

    /** Forgets a slot's contents (a new sequence starts there). */
    public void clear(int slot) {
        length[slot] = 0;
    }

    /** Forgets positions from {@code pos} on (e.g. to rewind a sequence). */
    public void truncate(int slot, int pos) {
        length[slot] = Math.min(length[slot], pos);
    }

    public void clearAll() {
        java.util.Arrays.fill(length, 0);
    }

    /** Bytes per token over all layers (keys + values). */
    public long bytesPerToken() {
        long b = 0;
        for (int l = 0; l < keyWidth.length; l++) b += 4L * (keyWidth[l] + valueWidth[l]);
        return b;
    }
}
