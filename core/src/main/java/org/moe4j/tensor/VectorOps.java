package org.moe4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vectorised float kernels on heap arrays: the building blocks of norms, attention and activations. */
public final class VectorOps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorOps() {
    }

    /**
     * The sum of a vector's lanes as a fixed tree: halves added lanewise until one lane is left.
     * {@code reduceLanes(ADD)} leaves the order open, and the interpreter and the JIT-compiled intrinsic
     * do use different orders, so the same product gave different bits before and after warm-up; a fixed
     * order makes every run of a model give the same logits.
     *
     * <p>For vectors of the preferred species only. A helper that receives vectors of two shapes gets a
     * polymorphic profile, and the JIT then boxes the vectors of every kernel that inlines it (measured:
     * a 3x slower Q8_0 product once a 256-bit and a 512-bit kernel had both run); so each shape has its
     * own sum method ({@link LaneSum} holds their steps).
     */
    public static float sum(FloatVector v) {
        return PREFERRED_SUM.sum(v);
    }

    private static final LaneSum PREFERRED_SUM = LaneSum.of(S);

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float sum = sum(acc);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y += a * x */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(S, a);
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** y = x * a, in place allowed. */
    public static void scale(float[] x, int xOff, float a, float[] y, int yOff, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).mul(a).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] * a;
        }
    }

    /** y += x */
    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    public static float sumOfSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }

    /**
     * RMSNorm: {@code y = x / sqrt(mean(x^2) + eps) * w} ({@code w} may be null). The sum is taken in
     * double, as the reference does, so long rows lose no precision.
     */
    public static void rmsNorm(float[] x, int xOff, float[] w, float eps, float[] y, int yOff, int n) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += x[xOff + i] * x[xOff + i]; // squared in float, summed in double: the reference's order
        }
        float scale = (float) (1.0 / Math.sqrt((float) (ss / n) + eps));
        if (w == null) {
            scale(x, xOff, scale, y, yOff, n);
            return;
        }
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).mul(scale).mul(FloatVector.fromArray(S, w, i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] * scale * w[i];
        }
    }

    /** In-place softmax over {@code x[off .. off+n)}; the sum is accumulated in double. */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    public static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    public static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    public static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) best = i;
        }
        return best;
    }
}
