package org.moe4j.model;

import org.moe4j.tensor.MatMul;
import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.VectorOps;

/**
 * Causal multi-head attention with grouped KV heads, as used by llama, qwen2moe, qwen3moe, olmoe,
 * granitemoe and gpt-oss. Optional parts, each off when null/zero: projection biases, q/k RMSNorm
 * (per head or over the whole projection), a custom softmax scale, per-head attention sinks and a sliding
 * window.
 */
public final class MultiHeadAttention implements AttentionBlock {

    /** Where q/k normalisation applies. */
    public enum QkNorm { NONE, PER_HEAD, WHOLE }

    /** Everything that distinguishes one architecture's attention from another's. */
    public record Spec(int nHead, int nHeadKv, int headDim, int valueDim,
                       Tensor wq, Tensor wk, Tensor wv, Tensor wo,
                       float[] bq, float[] bk, float[] bv, float[] bo,
                       QkNorm qkNorm, float[] qNorm, float[] kNorm, float normEps,
                       Rope rope, float scale, float[] sinks, int slidingWindow) {
    }

    private final Spec s;
    private final MatMul mm;
    private final AttentionKernel kernel;

    public MultiHeadAttention(Spec spec, MatMul mm) {
        this.s = spec;
        this.mm = mm;
        this.kernel = new AttentionKernel(mm.pool());
        if (spec.nHead % spec.nHeadKv != 0) {
            throw new IllegalArgumentException("head_count " + spec.nHead + " is not a multiple of head_count_kv " + spec.nHeadKv);
        }
        check(spec.wq, spec.wq.cols(), spec.nHead * spec.headDim);
        check(spec.wk, spec.wq.cols(), spec.nHeadKv * spec.headDim);
        check(spec.wv, spec.wq.cols(), spec.nHeadKv * spec.valueDim);
        check(spec.wo, spec.nHead * spec.valueDim, spec.wq.cols());
    }

    static void check(Tensor t, int cols, int rows) {
        if (t.cols() != cols || t.rows() != rows) {
            throw new IllegalArgumentException("tensor " + t + " has shape [" + t.cols() + ", " + t.rows() + "], expected ["
                    + cols + ", " + rows + "]");
        }
    }

    @Override
    public int cacheKeyWidth() {
        return s.nHeadKv * s.headDim;
    }

    @Override
    public int cacheValueWidth() {
        return s.nHeadKv * s.valueDim;
    }

    @Override
    public void forward(Layer layer, float[] in, float[] out) {
        Batch batch = layer.batch();
        Workspace ws = layer.ws();
        int n = batch.size();
        int qw = s.nHead * s.headDim;
        int kw = s.nHeadKv * s.headDim;
        int vw = s.nHeadKv * s.valueDim;
        float[] q = ws.get(Workspace.Slot.Q, n * qw);
        float[] k = ws.get(Workspace.Slot.K, n * kw);
        float[] v = ws.get(Workspace.Slot.V, n * vw);
        mm.apply(s.wq, in, 0, n, q, 0);
        mm.apply(s.wk, in, 0, n, k, 0);
        mm.apply(s.wv, in, 0, n, v, 0);

        KVCache cache = layer.cache();
        int l = layer.index();
        for (int t = 0; t < n; t++) {
            addBias(q, t * qw, s.bq, qw);
            addBias(k, t * kw, s.bk, kw);
            addBias(v, t * vw, s.bv, vw);
            switch (s.qkNorm) {
                case PER_HEAD -> {
                    for (int h = 0; h < s.nHead; h++) VectorOps.rmsNorm(q, t * qw + h * s.headDim, s.qNorm, s.normEps, q, t * qw + h * s.headDim, s.headDim);
                    for (int h = 0; h < s.nHeadKv; h++) VectorOps.rmsNorm(k, t * kw + h * s.headDim, s.kNorm, s.normEps, k, t * kw + h * s.headDim, s.headDim);
                }
                case WHOLE -> {
                    VectorOps.rmsNorm(q, t * qw, s.qNorm, s.normEps, q, t * qw, qw);
                    VectorOps.rmsNorm(k, t * kw, s.kNorm, s.normEps, k, t * kw, kw);
                }
                case NONE -> { }
            }
            s.rope.rotate(q, t * qw, s.nHead, s.headDim, t);
            s.rope.rotate(k, t * kw, s.nHeadKv, s.headDim, t);
            int slot = batch.slot(t);
            int pos = batch.position(t);
            System.arraycopy(k, t * kw, cache.keys(l), cache.keyOffset(l, slot, pos), kw);
            System.arraycopy(v, t * vw, cache.values(l), cache.valueOffset(l, slot, pos), vw);
        }

        float[] att = ws.get(Workspace.Slot.ATTN, n * s.nHead * s.valueDim);
        kernel.attend(batch, q, s.nHead, s.nHeadKv, s.headDim, s.valueDim,
                cache.keys(l), cache.values(l), kw, vw, cache.contextLength(),
                s.scale, s.sinks, s.slidingWindow, att);
        mm.apply(s.wo, att, 0, n, out, 0);
        if (s.bo != null) {
            int d = s.wo.rows();
            for (int t = 0; t < n; t++) addBias(out, t * d, s.bo, d);
        }
    }

    static void addBias(float[] x, int off, float[] b, int n) {
        if (b != null) VectorOps.add(b, 0, x, off, n);
    }
}
