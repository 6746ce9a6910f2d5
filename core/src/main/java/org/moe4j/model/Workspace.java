package org.moe4j.model;

import java.util.EnumMap;

/**
 * Scratch buffers of a forward pass, shared by all layers (they run one after another) and grown on
 * demand, so steady-state decoding allocates nothing.
 */
public final class Workspace {
    /** Named buffers; each module documents which it uses. */
    public enum Slot {
        RESIDUAL, NORMED, ATTN_OUT, FFN_OUT, Q, K, V, ATTN, LATENT, ROPE_COS, ROPE_SIN,
        GATE, UP, HIDDEN, ROUTER, EXPERT_IN, EXPERT_OUT, SHARED_OUT, LOGITS_IN, LOGITS, TMP
    }

    private final EnumMap<Slot, float[]> buffers = new EnumMap<>(Slot.class);

    /** A buffer of at least {@code size} floats; contents are whatever was left there. */
    public float[] get(Slot slot, int size) {
        float[] b = buffers.get(slot);
        if (b == null || b.length < size) {
            b = new float[Math.max(size, b == null ? 0 : b.length + b.length / 2)];
            buffers.put(slot, b);
        }
        return b;
    }
}
