package org.moe4j.tools.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.moe4j.tensor.VectorOps;

/**
 * The element-wise and row kernels of training (forward and backward), vectorised; matrix products are in
 * {@link Gemm}, dot products and axpy come from {@link VectorOps}. Row forwards compute what moe4j's inference
 * computes (RMSNorm with the sum of squares in double, softmax with max subtraction) and also keep what the
 * backward pass needs (the inverse RMS, the probabilities).
 */
public final class Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Kernels() {
    }

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;   // Cody-Waite split of ln 2: the high part is exact
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;       // 1.5 · 2^23: adding it rounds to an integer
    private static final float[] EXP_TAYLOR = {1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

    /**
     * {@code e^x} per lane from additions, multiplications and FMAs only (range reduction to
     * {@code 2^n · e^r}, |r| ≤ ln2/2, degree-7 polynomial, error about 1 ulp; arguments above 88 give
     * {@code e^88}, below -87.3 give 0). The Vector API's EXP is
     * faster to write but rounds differently before and after JIT compilation, which made training runs
     * depend on compilation timing; exact IEEE operations give every run the same bits.
     */
    static FloatVector exp(FloatVector x) {
        var underflow = x.compare(VectorOperators.LT, -87.3f);
        x = x.max(-87.3f).min(88f);
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1f / 5040);
        for (float c : EXP_TAYLOR) p = p.fma(r, FloatVector.broadcast(S, c));
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats()).blend(0f, underflow);
    }

    /** RMSNorm of one row; returns the inverse RMS {@code 1/sqrt(mean(x²) + eps)} that scaled it. */
    public static float rmsNorm(float[] x, int xOff, float[] w, int wOff, float eps, float[] y, int yOff, int n) {
        double ss = 0;
        for (int i = 0; i < n; i++) ss += x[xOff + i] * x[xOff + i];
        float r = (float) (1.0 / Math.sqrt((float) (ss / n) + eps));
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).mul(r).mul(FloatVector.fromArray(S, w, wOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = x[xOff + i] * r * w[wOff + i];
        return r;
    }

    /**
     * Backward of {@code y = x·r·w}: {@code dx (+)= r·(w⊙dy) − x·r³/n·Σ(w⊙dy⊙x)} and {@code dw += r·dy⊙x}.
     */
    public static void rmsNormBackward(float[] x, int xOff, float r, float[] w, int wOff, float[] dy, int dyOff,
                                       float[] dx, int dxOff, float[] dw, int dwOff, int n, boolean accumulate) {
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double) w[wOff + i] * dy[dyOff + i] * x[xOff + i];
        float c = (float) (dot * r * r * r / n);
        for (int i = 0; i < n; i++) {
            float d = dy[dyOff + i]; // read first: dx may be dy (in place)
            float xi = x[xOff + i];
            dw[dwOff + i] += r * d * xi;
            float g = r * w[wOff + i] * d - c * xi;
            dx[dxOff + i] = accumulate ? dx[dxOff + i] + g : g;
        }
    }

    /** In-place softmax of {@code x[off .. off+n)}; returns log Σ exp(x), the log-partition. */
    public static float softmax(float[] x, int off, int n) {
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) mv = mv.max(FloatVector.fromArray(S, x, off + i));
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, x[off + i]);
        FloatVector sv = FloatVector.zero(S);
        i = 0;
        for (; i < upper; i += S.length()) {
            FloatVector e = exp(FloatVector.fromArray(S, x, off + i).sub(max));
            e.intoArray(x, off + i);
            sv = sv.add(e);
        }
        double sum = VectorOps.sum(sv);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        VectorOps.scale(x, off, (float) (1.0 / sum), x, off, n);
        return max + (float) Math.log(sum);
    }

    /** Softmax backward in place: {@code dp := p ⊙ (dp − Σ p⊙dp)} (times {@code scale}). */
    public static void softmaxBackward(float[] p, int pOff, float[] dp, int dOff, int n, float scale) {
        float dot = VectorOps.dot(p, pOff, dp, dOff, n);
        int i = 0;
        FloatVector dv = FloatVector.broadcast(S, dot);
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
            pv.mul(FloatVector.fromArray(S, dp, dOff + i).sub(dv)).mul(scale).intoArray(dp, dOff + i);
        }
        for (; i < n; i++) dp[dOff + i] = p[pOff + i] * (dp[dOff + i] - dot) * scale;
    }

    /** SwiGLU forward: {@code h = silu(g) ⊙ u} over {@code n} elements. */
    public static void swiglu(float[] g, float[] u, float[] h, int off, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, off + i);
            FloatVector sig = exp(gv.neg()).add(1f);
            gv.div(sig).mul(FloatVector.fromArray(S, u, off + i)).intoArray(h, off + i);
        }
        for (; i < n; i++) h[off + i] = VectorOps.silu(g[off + i]) * u[off + i];
    }

    /**
     * SwiGLU backward: given {@code dh}, writes {@code dg = dh⊙u⊙silu'(g)} into {@code g} and
     * {@code du = dh⊙silu(g)} into {@code u} (the forward values are not needed afterwards).
     */
    public static void swigluBackward(float[] g, float[] u, float[] dh, int off, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, off + i);
            FloatVector uv = FloatVector.fromArray(S, u, off + i);
            FloatVector d = FloatVector.fromArray(S, dh, off + i);
            FloatVector sig = FloatVector.broadcast(S, 1f).div(exp(gv.neg()).add(1f));
            FloatVector silu = gv.mul(sig);
            // silu'(g) = sig + g·sig·(1 − sig) = sig + silu·(1 − sig)
            FloatVector dsilu = sig.add(silu.mul(sig.neg().add(1f)));
            d.mul(uv).mul(dsilu).intoArray(g, off + i);
            d.mul(silu).intoArray(u, off + i);
        }
        for (; i < n; i++) {
            float gi = g[off + i];
            float sig = 1f / (1f + (float) Math.exp(-gi));
            float silu = gi * sig;
            float d = dh[off + i];
            g[off + i] = d * u[off + i] * (sig + silu * (1f - sig));
            u[off + i] = d * silu;
        }
    }
}
