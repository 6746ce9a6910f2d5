package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.GGMLType;

/**
 * Q2_K: {scales[16] (scale in the low nibble, min in the high one), qs[64], d f16, dmin f16}; 16
 * sub-blocks of 16; weight {@code 128n + 32j + l} is {@code (qs[32n + l] >> 2j) & 3};
 * w = d*sc*q - dmin*m.
 */
final class Q2_KFormat implements QuantFormat {
    private static final int BLOCK_BYTES = 84;

    @Override public GGMLType type() { return GGMLType.Q2_K; }
    @Override public ActivationType activationType() { return ActivationType.Q8_K; }

    private static FloatVector chunk(MemorySegment s, long blk, int i, float d, float dmin) {
        int n = i >> 7, j = (i >> 5) & 3, l = i & 31;
        int sc = Blocks.u8(s, blk + (i >> 4));
        ByteVector q = Simd.shr(Simd.load(s, blk + 16 + 32 * n + l), 2 * j).and((byte) 3);
        return Simd.toFloat(q).mul(d * (sc & 0xF)).sub(dmin * (sc >> 4));
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(src, blk + 80), dmin = Blocks.f16(src, blk + 82);
            for (int i = 0; i < 256; i += L) {
                chunk(src, blk, i, d, dmin).intoArray(dst, dstOffset + 256 * b + i);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(w, blk + 80), dmin = Blocks.f16(w, blk + 82);
            for (int i = 0; i < 256; i += L) {
                acc = chunk(w, blk, i, d, dmin).fma(FloatVector.fromArray(Simd.F, x, xOffset + 256 * b + i), acc);
            }
        }
        return Simd.sum(acc);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        float sum = 0;
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            int e = elementOffset + 256 * b;
            float dy = a.d[e >> 8];
            long sc0 = w.get(Blocks.LONG_LE, blk), sc1 = w.get(Blocks.LONG_LE, blk + 8);
            int isum = levelSum(w, blk, a.wide, e, sc0 & 0x0f0f0f0f0f0f0f0fL, sc1 & 0x0f0f0f0f0f0f0f0fL);
            long m0 = (sc0 >>> 4) & 0x0f0f0f0f0f0f0f0fL, m1 = (sc1 >>> 4) & 0x0f0f0f0f0f0f0f0fL;
            int summs = Simd.minTerm16(a.bsums, e >> 4, m0, m1);
            sum += Blocks.f16(w, blk + 80) * dy * isum - Blocks.f16(w, blk + 82) * dy * summs;
        }
        return sum;
    }

    /** {@code sum_i scale(i) * q_i * a_i} over a super-block, exact (see {@link Q4_KFormat#levelSum}); scales as bytes of two longs. */
    static int levelSum(MemorySegment w, long blk, short[] qs, int e, long scLo, long scHi) {
        IntVector isum = IntVector.zero(Simd.I8);
        for (int s = 0; s < 16; s++) {
            int n = s >> 3, j = (s >> 1) & 3, l = 16 * (s & 1);
            ShortVector q = Simd.unsigned16(w, blk + 16 + 32 * n + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3);
            int sc = (int) ((s < 8 ? scLo : scHi) >>> (8 * (s & 7))) & 0xFF;
            isum = isum.add(Simd.pairSum(q.mul(Simd.act16(qs, e + 16 * s))).mul(sc));
        }
        return isum.reduceLanes(VectorOperators.ADD);
    }
}
