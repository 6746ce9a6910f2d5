package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
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
        short[] qs = a.wide;
        float[] ad = a.d;
        FloatVector acc = Simd.zero8();
        long blk = byteOffset;
        int ia = elementOffset >> 5;
        // induction variables rather than offsets recomputed from a block index: fewer integer ops per block
        for (int e = elementOffset, end = elementOffset + n; e < end; e += 32, blk += BLOCK_BYTES, ia++) {
            float d = Blocks.f16(w, blk) * ad[ia];
            // |w*a| <= 128*127, so the sum of two products still fits a short
            ShortVector p = Simd.signed16(w, blk + 2).mul(Simd.act16(qs, e))
                    .add(Simd.signed16(w, blk + 18).mul(Simd.act16(qs, e + 16)));
            acc = Simd.toFloat8(Simd.pairSum(p)).fma(FloatVector.broadcast(Simd.F8, d), acc);
        }
        return Simd.sum(acc);
    }
}
