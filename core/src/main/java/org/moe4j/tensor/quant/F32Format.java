package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.moe4j.tensor.GGMLType;

final class F32Format implements QuantFormat {
    // the kernels' float species, so that Simd.sum sees one shape (see VectorOps.sum)
    private static final VectorSpecies<Float> S = Simd.F;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override public GGMLType type() { return GGMLType.F32; }
    @Override public ActivationType activationType() { return ActivationType.F32; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(src, F, byteOffset, dst, dstOffset, n);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            FloatVector wv = FloatVector.fromMemorySegment(S, w, byteOffset + 4L * i, ByteOrder.LITTLE_ENDIAN);
            acc = wv.fma(FloatVector.fromArray(S, x, xOffset + i), acc);
        }
        float sum = Simd.sum(acc);
        for (; i < n; i++) {
            sum += w.get(F, byteOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        return dot(w, byteOffset, a.f, elementOffset, n);
    }

    @Override
    public void dotTokens(MemorySegment w, long byteOffset, QuantizedActivations a, int n, int tokens,
                          float[] y, int yOff, int yStride) {
        int t = 0;
        for (; t + 4 <= tokens; t += 4) dot4(w, byteOffset, a.f, t * n, n, y, yOff + t * yStride, yStride);
        for (; t < tokens; t++) y[yOff + t * yStride] = dot(w, byteOffset, a.f, t * n, n);
    }

    /** Four tokens against one row, each weight vector loaded once; per token the arithmetic of {@link #dot}. */
    private static void dot4(MemorySegment w, long byteOffset, float[] x, int x0, int n, float[] y, int yOff, int yStride) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S), acc2 = FloatVector.zero(S), acc3 = FloatVector.zero(S);
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            FloatVector wv = FloatVector.fromMemorySegment(S, w, byteOffset + 4L * i, ByteOrder.LITTLE_ENDIAN);
            acc0 = wv.fma(FloatVector.fromArray(S, x, x0 + i), acc0);
            acc1 = wv.fma(FloatVector.fromArray(S, x, x1 + i), acc1);
            acc2 = wv.fma(FloatVector.fromArray(S, x, x2 + i), acc2);
            acc3 = wv.fma(FloatVector.fromArray(S, x, x3 + i), acc3);
        }
        float s0 = Simd.sum(acc0), s1 = Simd.sum(acc1), s2 = Simd.sum(acc2), s3 = Simd.sum(acc3);
        for (; i < n; i++) {
            float wi = w.get(F, byteOffset + 4L * i);
            s0 += wi * x[x0 + i];
            s1 += wi * x[x1 + i];
            s2 += wi * x[x2 + i];
            s3 += wi * x[x3 + i];
        }
        y[yOff] = s0;
        y[yOff + yStride] = s1;
        y[yOff + 2 * yStride] = s2;
        y[yOff + 3 * yStride] = s3;
    }
}
