package org.moe4j.tools.train;

import java.util.Arrays;

/**
 * The trainable decoder-only transformer: token embedding, {@link CausalSelfAttention} and
 * {@link MixtureOfExperts} blocks, final RMSNorm and the output head tied to the embedding, with mean
 * cross-entropy of next-token prediction. Forward and backward are written by hand and run on one
 * micro-batch ({@link Activations}) at a time; the caller runs micro-batches in parallel.
 */
public final class Transformer {
    private final ModelShape shape;
    private final ParameterLayout layout;
    private final CausalSelfAttention attention;
    private final MixtureOfExperts moe;

    /**
     * What the backward pass needs from the whole batch: the number of scored targets and of routed tokens,
     * the fraction of (token, choice) pairs each expert of each block received, and the router loss weights.
     */
    record BatchTotals(int targets, int tokens, double[][] expertFraction, float balanceWeight, float zWeight) {
    }

    public Transformer(ModelShape shape) {
        this.shape = shape;
        this.layout = new ParameterLayout(shape);
        RopeTables rope = new RopeTables(shape);
        this.attention = new CausalSelfAttention(shape, rope);
        this.moe = new MixtureOfExperts(shape);
    }

    public ModelShape shape() {
        return shape;
    }

    public ParameterLayout layout() {
        return layout;
    }

    Activations newActivations(int sequences) {
        return new Activations(shape, sequences, shape.context(), layout.size());
    }

    /**
     * Runs the forward pass; sets {@code act.lossSum} (summed cross-entropy) and {@code act.lossCount}, and leaves
     * the softmax of the logits in {@code act.logits} (the raw logits when {@code act.keepLogits}, without a loss).
     */
    void forward(Weights w, Activations act) {
        int n = act.n;
        int d = shape.dim();
        int v = shape.vocab();
        float[] x0 = act.layers[0].xIn;
        for (int i = 0; i < n; i++) {
            int tok = act.tokens[i];
            if (tok < 0 || tok >= v) throw new IllegalArgumentException("token id " + tok + " outside the vocabulary");
            System.arraycopy(w.values, layout.embedding() + tok * d, x0, i * d, d);
        }
        for (int l = 0; l < shape.layers(); l++) {
            Activations.Layer a = act.layers[l];
            ParameterLayout.Block b = layout.block(l);
            attention.forward(w, b, a, act);
            float[] next = l + 1 < shape.layers() ? act.layers[l + 1].xIn : act.xFinal;
            moe.forward(w, b, a, act, next);
        }
        for (int i = 0; i < n; i++) {
            act.rFinal[i] = Kernels.rmsNorm(act.xFinal, i * d, w.values, layout.outputNorm(), shape.normEps(), act.xnFinal, i * d, d);
        }
        Gemm.mul(n, v, d, act.xnFinal, 0, d, 1, w.transposed, layout.embedding(), v, act.logits, 0, v, false);
        if (act.keepLogits) return;
        double loss = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            int target = act.targets[i];
            float z = target >= 0 ? act.logits[i * v + target] : 0f;
            float lse = Kernels.softmax(act.logits, i * v, v);
            if (target >= 0) {
                loss += lse - z;
                count++;
            }
        }
        act.lossSum = loss;
        act.lossCount = count;
    }

    /**
     * Backward pass of the loss {@code CE/targets + balanceWeight·mean_l(E·Σ f·P) + zWeight·mean_l(mean lse²)}
     * over the whole batch; writes this micro-batch's share of the gradient into {@code act.grad}.
     */
    void backward(Weights w, Activations act, BatchTotals totals) {
        int n = act.n;
        int d = shape.dim();
        int v = shape.vocab();
        float[] g = act.grad;
        Arrays.fill(g, 0f);
        float inv = 1f / totals.targets();
        for (int i = 0; i < n; i++) {
            int o = i * v;
            int target = act.targets[i];
            if (target < 0) {
                Arrays.fill(act.logits, o, o + v, 0f);
                continue;
            }
            act.logits[o + target] -= 1f;
            org.moe4j.tensor.VectorOps.scale(act.logits, o, inv, act.logits, o, v);
        }
        Gemm.mul(n, d, v, act.logits, 0, v, 1, w.values, layout.embedding(), d, act.dxn, 0, d, false);
        Gemm.mul(v, d, n, act.logits, 0, 1, v, act.xnFinal, 0, d, g, layout.embedding(), d, true);
        for (int i = 0; i < n; i++) {
            Kernels.rmsNormBackward(act.xFinal, i * d, act.rFinal[i], w.values, layout.outputNorm(), act.dxn, i * d,
                    act.dx, i * d, g, layout.outputNorm(), d, false);
        }
        int blocks = shape.layers();
        float balanceCoef = totals.balanceWeight() * shape.experts() / ((float) blocks * totals.tokens());
        float zCoef = totals.zWeight() / ((float) blocks * totals.tokens());
        for (int l = blocks - 1; l >= 0; l--) {
            Activations.Layer a = act.layers[l];
            ParameterLayout.Block b = layout.block(l);
            moe.backward(w, b, a, act, totals.expertFraction()[l], balanceCoef, zCoef);
            attention.backward(w, b, a, act);
        }
        for (int i = 0; i < n; i++) {
            org.moe4j.tensor.VectorOps.add(act.dx, i * d, g, layout.embedding() + act.tokens[i] * d, d);
        }
    }
}
