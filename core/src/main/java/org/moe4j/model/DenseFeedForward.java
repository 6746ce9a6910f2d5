package org.moe4j.model;

import org.moe4j.tensor.MatMul;

/** A dense gated feed-forward layer (llama's FFN, DeepSeek's leading dense blocks). */
public final class DenseFeedForward implements FeedForwardBlock {
    private final GatedFfn.Weights weights;
    private final GluActivation activation;
    private final MatMul mm;

    public DenseFeedForward(GatedFfn.Weights weights, GluActivation activation, MatMul mm) {
        this.weights = weights;
        this.activation = activation;
        this.mm = mm;
    }

    @Override
    public void forward(Layer layer, float[] in, float[] out) {
        GatedFfn.run(mm, weights, activation, in, 0, layer.batch().size(), out, 0, layer.ws());
    }
}
