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
 * Q6_K: {ql[128], qh[64], scales[16] int8, d f16}; 16 sub-blocks of 16. In each half {@code n} of 128
 * weights, quarter {@code k} (32 weights, index {@code l}) takes nibble {@code k / 2} of
 * {@code ql[64n + 32(k % 2) + l]} and bits {@code 2k, 2k+1} of {@code qh[32n + l]}; w = d*sc*(q - 32).
 */
final class Q6_KFormat implements QuantFormat {
    private static final int BLOCK_BYTES = 210;

    @Override public GGMLType type() { return GGMLType.Q6_K; }
    @Override public ActivationType activationType() { return ActivationType.Q8_K; }

    /** Weights {@code 32k + l .. + L} of half {@code n}, dequantized. */
    private static FloatVector chunk(MemorySegment s, long blk, int n, int k, int l, FloatVector dl) {
        ByteVector ql = Simd.load(s, blk + 64 * n + 32 * (k & 1) + l);
        ByteVector low = k < 2 ? ql.and((byte) 0x0F) : Simd.highNibblesL(ql);
        ByteVector qh = Simd.load(s, blk + 128 + 32 * n + l);
        // bits 2k, 2k+1 of qh to bits 4, 5
        ByteVector high = (k < 3 ? Simd.shl(qh, 4 - 2 * k) : Simd.shr(qh, 2)).and((byte) 0x30);
        return Simd.toFloat(low.or(high).sub((byte) 32)).mul(dl);
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(src, blk + 208);
            for (int i = 0; i < 256; i += L) {
                FloatVector dl = Simd.broadcast(d * Blocks.i8(src, blk + 192 + (i >> 4)));
                chunk(src, blk, i >> 7, (i >> 5) & 3, i & 31, dl).intoArray(dst, dstOffset + 256 * b + i);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(w, blk + 208);
            for (int i = 0; i < 256; i += L) {
                FloatVector dl = Simd.broadcast(d * Blocks.i8(w, blk + 192 + (i >> 4)));
                acc = chunk(w, blk, i >> 7, (i >> 5) & 3, i & 31, dl).fma(FloatVector.fromArray(Simd.F, x, xOffset + 256 * b + i), acc);
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
            float d = Blocks.f16(w, blk + 208) * a.d[e >> 8];
            sum += d * levelSum(w, blk, a.wide, e, w.get(Blocks.LONG_LE, blk + 192), w.get(Blocks.LONG_LE, blk + 200));
        }
        return sum;
    }

    /**
     * {@code sum_i scale(i) * (q_i - 32) * a_i} over a super-block, exact (see {@link Q4_KFormat#levelSum});
     * the int8 scales as the bytes of two longs (no memory reads between the vector operations).
     */
    static int levelSum(MemorySegment w, long blk, short[] qs, int e, long scLo, long scHi) {
        IntVector isum = IntVector.zero(Simd.I8);
        for (int s = 0; s < 16; s++) {
            int n = s >> 3, k = (s >> 1) & 3, l = 16 * (s & 1);
            ShortVector low = Simd.unsigned16(w, blk + 64 * n + 32 * (k & 1) + l)
                    .lanewise(VectorOperators.LSHR, 4 * (k >> 1)).and((short) 0x0F);
            ShortVector high = Simd.unsigned16(w, blk + 128 + 32 * n + l)
                    .lanewise(VectorOperators.LSHR, 2 * k).and((short) 3).lanewise(VectorOperators.LSHL, 4);
            ShortVector prod = low.or(high).sub((short) 32).mul(Simd.act16(qs, e + 16 * s));
            int sc = (byte) ((s < 8 ? scLo : scHi) >>> (8 * (s & 7)));
            isum = isum.add(Simd.pairSum(prod).mul(sc));
        }
        return isum.reduceLanes(VectorOperators.ADD);
    }
}
