package org.moe4j.tools.train;

/**
 * Initial weights: norms 1; the embedding (also the output head) N(0, 0.02²); input projections
 * N(0, 1/fan_in); the projections that write into the residual stream (attention output, expert down)
 * additionally divided by sqrt(2 · blocks), so the stream's variance does not grow with depth; routers
 * N(0, 0.02²), which starts routing close to uniform.
 */
final class Initializer {
    private Initializer() {
    }

    static void initialize(Weights w, ModelShape s, long seed) {
        SplitMix rng = new SplitMix(seed);
        for (ParameterLayout.Tensor t : w.layout.tensors()) {
            String n = t.name();
            double std;
            if (!t.matrix()) {
                java.util.Arrays.fill(w.values, t.offset(), t.offset() + t.size(), 1f);
                continue;
            } else if (n.equals("token_embd.weight") || n.endsWith("ffn_gate_inp.weight")) {
                std = 0.02;
            } else if (n.endsWith("attn_output.weight") || n.endsWith("ffn_down_exps.weight")) {
                std = 1 / Math.sqrt(t.dims()[0]) / Math.sqrt(2.0 * s.layers());
            } else {
                std = 1 / Math.sqrt(t.dims()[0]);
            }
            for (int i = 0; i < t.size(); i++) w.values[t.offset() + i] = (float) (std * rng.nextGaussian());
        }
        w.refresh(null);
    }
}
