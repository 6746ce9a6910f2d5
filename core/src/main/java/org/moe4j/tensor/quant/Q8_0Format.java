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
}
