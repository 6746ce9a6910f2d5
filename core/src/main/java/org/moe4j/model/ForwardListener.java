package org.moe4j.model;

/** Sees intermediate states of the forward pass (tests, analysis, expert prediction). */
public interface ForwardListener {
    /** The residual stream {@code [n, width]} after block {@code layer}. */
    default void onBlockOutput(int layer, float[] residual, int n, int width) {
    }

    /** The normed input {@code [n, width]} of block {@code layer}'s feed-forward half, before it runs. */
    default void beforeFeedForward(int layer, float[] normed, int n, int width) {
    }
}
