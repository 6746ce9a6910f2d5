package org.moe4j.model;

/** The attention half of a transformer block: maps normed inputs {@code [n, n_embd]} to outputs {@code [n, n_embd]}. */
public interface AttentionBlock {
    void forward(Layer layer, float[] in, float[] out);

    /** Floats per token this block keeps in the key rows of the cache. */
    int cacheKeyWidth();

    /** Floats per token this block keeps in the value rows of the cache. */
    int cacheValueWidth();
}
