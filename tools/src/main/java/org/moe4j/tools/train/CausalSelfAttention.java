package org.moe4j.tools.train;

import java.util.Arrays;
import org.moe4j.tensor.VectorOps;

/**
 * Forward and backward of a {@code qwen3moe} attention block on a micro-batch of equal-length sequences:
 * RMSNorm, q/k/v projections, per-head RMSNorm of q and k, NEOX RoPE, causal softmax attention with grouped KV
 * heads, output projection and the residual add. Scores are computed in blocks of query rows that stop at the
 * diagonal, so the causal half is never computed.
 */
final class CausalSelfAttention {
    private static final int ROWS = 32;

    private final ModelShape s;
    private final RopeTables rope;
    private final float scale;

    CausalSelfAttention(ModelShape s, RopeTables rope) {
        this.s = s;
        this.rope = rope;
        this.scale = (float) (1.0 / Math.sqrt(s.headDim()));
    }

    /** Offsets of one (sequence, query head): its q rows, its KV head's rows, its score matrix. */
    @FunctionalInterface
    private interface HeadTask {
        void run(int qOff, int kvOff, int scoresOff, boolean firstOfGroup);
    }

    /** Every (sequence, query head) in order; the heads that share a KV head come one after another. */
    private void forEachHead(Activations act, HeadTask task) {
        int t = act.tokensPerSequence;
        int group = s.heads() / s.kvHeads();
        for (int seq = 0; seq < act.sequences; seq++) {
            for (int h = 0; h < s.heads(); h++) {
                task.run(seq * t * s.qWidth() + h * s.headDim(), seq * t * s.kvWidth() + (h / group) * s.headDim(),
                        (seq * s.heads() + h) * t * t, h % group == 0);
            }
        }
    }

    /** Reads {@code a.xIn}, writes {@code a.xMid = xIn + attention(norm(xIn))} and keeps what backward needs. */
    void forward(Weights w, ParameterLayout.Block b, Activations.Layer a, Activations act) {
        int n = act.n;
        int d = s.dim(), qw = s.qWidth(), kw = s.kvWidth(), hd = s.headDim();
        int t = act.tokensPerSequence;
        float[] p = w.values;
        for (int i = 0; i < n; i++) a.r1[i] = Kernels.rmsNorm(a.xIn, i * d, p, b.attnNorm(), s.normEps(), a.xn1, i * d, d);
        Gemm.mul(n, qw, d, a.xn1, 0, d, 1, w.transposed, b.wq(), qw, a.qRaw, 0, qw, false);
        Gemm.mul(n, kw, d, a.xn1, 0, d, 1, w.transposed, b.wk(), kw, a.kRaw, 0, kw, false);
        Gemm.mul(n, kw, d, a.xn1, 0, d, 1, w.transposed, b.wv(), kw, a.v, 0, kw, false);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < s.heads(); h++) {
                int o = i * qw + h * hd;
                a.rq[i * s.heads() + h] = Kernels.rmsNorm(a.qRaw, o, p, b.qNorm(), s.normEps(), a.q, o, hd);
            }
            for (int h = 0; h < s.kvHeads(); h++) {
                int o = i * kw + h * hd;
                a.rk[i * s.kvHeads() + h] = Kernels.rmsNorm(a.kRaw, o, p, b.kNorm(), s.normEps(), a.k, o, hd);
            }
            rope.rotate(a.q, i * qw, s.heads(), hd, i % t);
            rope.rotate(a.k, i * kw, s.kvHeads(), hd, i % t);
        }
        float[] kt = act.transposed;
        forEachHead(act, (qOff, kOff, pOff, firstOfGroup) -> {
            if (firstOfGroup) Gemm.transpose(t, hd, a.k, kOff, kw, kt, 0, t);
            for (int r0 = 0; r0 < t; r0 += ROWS) {
                int rows = Math.min(ROWS, t - r0);
                int cols = r0 + rows;
                Gemm.mul(rows, cols, hd, a.q, qOff + r0 * qw, qw, 1, kt, 0, t, a.probs, pOff + r0 * t, t, false);
                for (int i = r0; i < cols; i++) {
                    int row = pOff + i * t;
                    VectorOps.scale(a.probs, row, scale, a.probs, row, i + 1);
                    Kernels.softmax(a.probs, row, i + 1);
                    Arrays.fill(a.probs, row + i + 1, row + t, 0f);
                }
                Gemm.mul(rows, hd, cols, a.probs, pOff + r0 * t, t, 1, a.v, kOff, kw, a.att, qOff + r0 * qw, qw, false);
            }
        });
        Gemm.mul(n, d, qw, a.att, 0, qw, 1, w.transposed, b.wo(), d, a.xMid, 0, d, false);
        VectorOps.add(a.xIn, 0, a.xMid, 0, n * d);
    }

    /**
     * Given {@code act.dx = dL/dxMid}, accumulates the parameter gradients and turns {@code act.dx} into
     * {@code dL/dxIn}.
     */
    void backward(Weights w, ParameterLayout.Block b, Activations.Layer a, Activations act) {
        int n = act.n;
        int d = s.dim(), qw = s.qWidth(), kw = s.kvWidth(), hd = s.headDim();
        int t = act.tokensPerSequence;
        float[] p = w.values;
        float[] g = act.grad;
        float[] dx = act.dx;
        Gemm.mul(n, qw, d, dx, 0, d, 1, p, b.wo(), qw, act.datt, 0, qw, false);
        Gemm.mul(d, qw, n, dx, 0, 1, d, a.att, 0, qw, g, b.wo(), qw, true);

        Arrays.fill(act.dk, 0f);
        Arrays.fill(act.dv, 0f);
        float[] tr = act.transposed;
        float[] ds = act.dScores;
        forEachHead(act, (qOff, kOff, pOff, firstOfGroup) -> {
            if (firstOfGroup) Gemm.transpose(t, hd, a.v, kOff, kw, tr, 0, t);
            for (int r0 = 0; r0 < t; r0 += ROWS) {
                int rows = Math.min(ROWS, t - r0);
                int cols = r0 + rows;
                Gemm.mul(rows, cols, hd, act.datt, qOff + r0 * qw, qw, 1, tr, 0, t, ds, r0 * t, t, false);
                for (int i = r0; i < cols; i++) {
                    Kernels.softmaxBackward(a.probs, pOff + i * t, ds, i * t, i + 1, scale);
                    Arrays.fill(ds, i * t + i + 1, i * t + cols, 0f);
                }
                Gemm.mul(rows, hd, cols, ds, r0 * t, t, 1, a.k, kOff, kw, act.dq, qOff + r0 * qw, qw, false);
            }
            // dV += Pᵀ dO and dK += dSᵀ Q: row block i0 of the result needs key rows from i0 on
            for (int i0 = 0; i0 < t; i0 += ROWS) {
                int rows = Math.min(ROWS, t - i0);
                Gemm.mul(rows, hd, t - i0, a.probs, pOff + i0 * t + i0, 1, t, act.datt, qOff + i0 * qw, qw,
                        act.dv, kOff + i0 * kw, kw, true);
                Gemm.mul(rows, hd, t - i0, ds, i0 * t + i0, 1, t, a.q, qOff + i0 * qw, qw,
                        act.dk, kOff + i0 * kw, kw, true);
            }
        });
        for (int i = 0; i < n; i++) {
            rope.rotateBack(act.dq, i * qw, s.heads(), hd, i % t);
            rope.rotateBack(act.dk, i * kw, s.kvHeads(), hd, i % t);
            for (int h = 0; h < s.heads(); h++) {
                int o = i * qw + h * hd;
                Kernels.rmsNormBackward(a.qRaw, o, a.rq[i * s.heads() + h], p, b.qNorm(), act.dq, o, act.dq, o, g, b.qNorm(), hd, false);
            }
            for (int h = 0; h < s.kvHeads(); h++) {
                int o = i * kw + h * hd;
                Kernels.rmsNormBackward(a.kRaw, o, a.rk[i * s.kvHeads() + h], p, b.kNorm(), act.dk, o, act.dk, o, g, b.kNorm(), hd, false);
            }
        }
        Gemm.mul(n, d, qw, act.dq, 0, qw, 1, p, b.wq(), d, act.dxn, 0, d, false);
        Gemm.mul(n, d, kw, act.dk, 0, kw, 1, p, b.wk(), d, act.dxn, 0, d, true);
        Gemm.mul(n, d, kw, act.dv, 0, kw, 1, p, b.wv(), d, act.dxn, 0, d, true);
        Gemm.mul(qw, d, n, act.dq, 0, 1, qw, a.xn1, 0, d, g, b.wq(), d, true);
        Gemm.mul(kw, d, n, act.dk, 0, 1, kw, a.xn1, 0, d, g, b.wk(), d, true);
        Gemm.mul(kw, d, n, act.dv, 0, 1, kw, a.xn1, 0, d, g, b.wv(), d, true);
        for (int i = 0; i < n; i++) {
            Kernels.rmsNormBackward(a.xIn, i * d, a.r1[i], p, b.attnNorm(), act.dxn, i * d, dx, i * d, g, b.attnNorm(), d, true);
        }
    }
}
