package org.moe4j.model;

import org.moe4j.tensor.VectorOps;

/** The gating non-linearity of a gated feed-forward network: {@code h = act(gate, up)}. */
public enum GluActivation {
    /** {@code silu(g) * u} (SwiGLU), used by nearly every architecture. */
    SILU {
        @Override
        public float apply(float g, float u) {
            return VectorOps.silu(g) * u;
        }
    },
    /**
     * gpt-oss: {@code g' = min(g, 7)}, {@code u' = clamp(u, -7, 7)}, {@code g' * sigmoid(1.702 g') * (u' + 1)}.
     */
    SWIGLU_OAI {
        @Override
        public float apply(float g, float u) {
            float x = Math.min(g, 7f);
            float y = Math.max(-7f, Math.min(u, 7f));
            return x / (1f + (float) Math.exp(-1.702f * x)) * (y + 1f);
        }
    };

    public abstract float apply(float gate, float up);
}
