package org.moe4j.tools.train;

/**
 * The hyper-parameters of a trainable model in the {@code qwen3moe} layout: tied embeddings, per-head q/k
 * RMSNorm, NEOX RoPE, grouped KV heads, and a feed-forward of {@code experts} SwiGLU experts of which a
 * softmax router picks {@code topK} per token (renormalised). One expert with top-1 is the dense baseline: the
 * same code, with a router whose single weight is always 1.
 */
public record ModelShape(int vocab, int dim, int layers, int heads, int kvHeads, int headDim, int experts, int topK,
                         int expertHidden, int context, float ropeBase, float normEps) {

    public ModelShape {
        positive("vocab", vocab);
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("kv-heads", kvHeads);
        positive("head-dim", headDim);
        positive("experts", experts);
        positive("top-k", topK);
        positive("expert-hidden", expertHidden);
        positive("context", context);
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv-heads (" + kvHeads + ")");
        if (topK > experts) throw new IllegalArgumentException("top-k (" + topK + ") exceeds experts (" + experts + ")");
        if (headDim % 2 != 0) throw new IllegalArgumentException("head-dim must be even for RoPE, is " + headDim);
        if (context > 16384) throw new IllegalArgumentException("context must be at most 16384 tokens, is " + context);
        if ((long) vocab * dim > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("vocab x dim is too large to train here");
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, is " + v);
    }

    public boolean dense() {
        return experts == 1;
    }

    public int qWidth() {
        return heads * headDim;
    }

    public int kvWidth() {
        return kvHeads * headDim;
    }

    /** Parameters per expert (gate, up, down). */
    public long expertParams() {
        return 3L * dim * expertHidden;
    }

    public long totalParams() {
        return new ParameterLayout(this).size();
    }

    /** Parameters one token uses: everything but the experts it is not routed to. */
    public long activeParams() {
        return totalParams() - (long) layers * (experts - topK) * expertParams();
    }
}
