package org.moe4j.moe;

import org.moe4j.model.GatedFfn;
import org.moe4j.tensor.Tensor;

/** Experts read straight from the memory-mapped model file: the page cache decides residency. */
public final class MappedExpertStore implements ExpertStore {
    private final GatedFfn.Weights[][] experts;

    public MappedExpertStore(int layers) {
        this.experts = new GatedFfn.Weights[layers][];
    }

    /**
     * Registers a layer's stacked expert tensors {@code [in, out, n_expert]}; biases (gpt-oss) are
     * {@code [out, n_expert]} float arrays flattened expert-major, or null.
     */
    public void addLayer(int layer, Tensor gate, Tensor up, Tensor down, float[] gateBias, float[] upBias, float[] downBias) {
        int n = (int) gate.dim(2);
        if (up.dim(2) != n || down.dim(2) != n) {
            throw new IllegalArgumentException("layer " + layer + ": expert tensors disagree on the expert count");
        }
        GatedFfn.Weights[] w = new GatedFfn.Weights[n];
        int hidden = gate.rows();
        int width = down.rows();
        for (int e = 0; e < n; e++) {
            w[e] = new GatedFfn.Weights(gate.slice(e), up.slice(e), down.slice(e),
                    slice(gateBias, e, hidden), slice(upBias, e, hidden), slice(downBias, e, width));
        }
        experts[layer] = w;
    }

    /** Registers a layer whose experts are separate tensors. */
    public void addLayer(int layer, GatedFfn.Weights[] perExpert) {
        experts[layer] = perExpert.clone();
    }

    private static float[] slice(float[] b, int e, int len) {
        return b == null ? null : java.util.Arrays.copyOfRange(b, e * len, (e + 1) * len);
    }

    public int expertCount(int layer) {
        return experts[layer] == null ? 0 : experts[layer].length;
    }

    @Override
    public GatedFfn.Weights acquire(int layer, int expert) {
        return experts[layer][expert];
    }

    @Override
    public long expertBytes(int layer) {
        return experts[layer] == null ? 0 : experts[layer][0].bytes();
    }
}
