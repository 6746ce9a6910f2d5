package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import org.moe4j.tensor.GGMLType;

/** Q8_0: blocks of 32 weights, an F16 scale d then 32 signed bytes; w = d * q. */
final class Q8_0Format implements QuantFormat {
    private static final int BLOCK_BYTES = 34;

    @Override public GGMLType type() { return GGMLType.Q8_0; }
    @Override public ActivationType activationType() { return ActivationType.Q8_0; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(src, blk));
            for (int c = 0; c < 32; c += L) {
                Simd.toFloat(Simd.load(src, blk + 2 + c)).mul(d).intoArray(dst, dstOffset + 32 * b + c);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(w, blk));
            for (int c = 0; c < 32; c += L) {
                FloatVector wv = Simd.toFloat(Simd.load(w, blk + 2 + c)).mul(d);
                acc = wv.fma(FloatVector.fromArray(Simd.F, x, xOffset + 32 * b + c), acc);
            }
        }
        return Simd.sum(acc);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        float[] qf = a.qf;
        float[] ad = a.d;
        FloatVector acc = Simd.zero();
        long blk = byteOffset;
        int ia = elementOffset >> 5;
        for (int e = elementOffset, end = elementOffset + n; e < end; e += 32, blk += BLOCK_BYTES, ia++) {
            float d = Blocks.f16(w, blk) * ad[ia];
            FloatVector p = Simd.toFloat(Simd.load(w, blk + 2)).mul(FloatVector.fromArray(Simd.F, qf, e));
            for (int c = L; c < 32; c += L) {
                p = Simd.toFloat(Simd.load(w, blk + 2 + c)).fma(FloatVector.fromArray(Simd.F, qf, e + c), p);
            }
            acc = p.fma(Simd.broadcast(d), acc);
        }
        return Simd.sum(acc);
    }

    @Override
    public void dotTokens(MemorySegment w, long byteOffset, QuantizedActivations a, int n, int tokens,
                          float[] y, int yOff, int yStride) {
        int t = 0;
        if (L == 16) {
            for (; t + 4 <= tokens; t += 4) dot4(w, byteOffset, a, t * n, n, y, yOff + t * yStride, yStride);
        }
        for (; t < tokens; t++) y[yOff + t * yStride] = dot(w, byteOffset, a, t * n, n);
    }

    /**
     * Four tokens against one row with 16-lane vectors: each block is loaded and widened once, then used
     * four times. Per token the operations and their order are those of {@link #dot}.
     */
    private static void dot4(MemorySegment w, long byteOffset, QuantizedActivations a, int e0, int n,
                             float[] y, int yOff, int yStride) {
        float[] qf = a.qf;
        float[] ad = a.d;
        FloatVector acc0 = Simd.zero(), acc1 = Simd.zero(), acc2 = Simd.zero(), acc3 = Simd.zero();
        int e1 = e0 + n, e2 = e1 + n, e3 = e2 + n;
        long blk = byteOffset;
        for (int e = 0; e < n; e += 32, blk += BLOCK_BYTES) {
            FloatVector lo = Simd.toFloat(Simd.load(w, blk + 2));
            FloatVector hi = Simd.toFloat(Simd.load(w, blk + 18));
            float dw = Blocks.f16(w, blk);
            acc0 = hi.fma(FloatVector.fromArray(Simd.F, qf, e0 + e + 16), lo.mul(FloatVector.fromArray(Simd.F, qf, e0 + e)))
                    .fma(Simd.broadcast(dw * ad[(e0 + e) >> 5]), acc0);
            acc1 = hi.fma(FloatVector.fromArray(Simd.F, qf, e1 + e + 16), lo.mul(FloatVector.fromArray(Simd.F, qf, e1 + e)))
                    .fma(Simd.broadcast(dw * ad[(e1 + e) >> 5]), acc1);
            acc2 = hi.fma(FloatVector.fromArray(Simd.F, qf, e2 + e + 16), lo.mul(FloatVector.fromArray(Simd.F, qf, e2 + e)))
                    .fma(Simd.broadcast(dw * ad[(e2 + e) >> 5]), acc2);
            acc3 = hi.fma(FloatVector.fromArray(Simd.F, qf, e3 + e + 16), lo.mul(FloatVector.fromArray(Simd.F, qf, e3 + e)))
                    .fma(Simd.broadcast(dw * ad[(e3 + e) >> 5]), acc3);
        }
        y[yOff] = Simd.sum(acc0);
        y[yOff + yStride] = Simd.sum(acc1);
        y[yOff + 2 * yStride] = Simd.sum(acc2);
        y[yOff + 3 * yStride] = Simd.sum(acc3);
    }
}
