package org.moe4j.model;

/** The feed-forward half of a transformer block (dense or mixture of experts): {@code [n, n_embd] -> [n, n_embd]}. */
public interface FeedForwardBlock {
    void forward(Layer layer, float[] in, float[] out);
}
