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
 * Q3_K: {hmask[32], qs[64], scales[12], d f16}; 16 sub-blocks of 16 with signed 6-bit scales. Weight
 * {@code 128n + 32j + l} has low bits {@code (qs[32n + l] >> 2j) & 3} and subtracts 4 unless bit
 * {@code 4n + j} of {@code hmask[l]} is set; w = d * sc * level.
 */
final class Q3_KFormat implements QuantFormat {
    private static final int BLOCK_BYTES = 110;

    @Override public GGMLType type() { return GGMLType.Q3_K; }
    @Override public ActivationType activationType() { return ActivationType.Q8_K; }

    private static FloatVector chunk(MemorySegment s, long blk, int i, FloatVector dl) {
        int n = i >> 7, j = (i >> 5) & 3, l = i & 31;
        ByteVector q = Simd.shr(Simd.load(s, blk + 32 + 32 * n + l), 2 * j).and((byte) 3);
        ByteVector hm = Simd.load(s, blk + l).and((byte) (1 << (4 * n + j)));
        q = q.lanewise(VectorOperators.SUB, (byte) 4, hm.compare(VectorOperators.EQ, (byte) 0));
        return Simd.toFloat(q).mul(dl);
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(src, blk + 108);
            for (int i = 0; i < 256; i += L) {
                FloatVector dl = Simd.broadcast(d * KQuantScales.scaleQ3(src, blk + 96, i >> 4));
                chunk(src, blk, i, dl).intoArray(dst, dstOffset + 256 * b + i);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(w, blk + 108);
            for (int i = 0; i < 256; i += L) {
                FloatVector dl = Simd.broadcast(d * KQuantScales.scaleQ3(w, blk + 96, i >> 4));
                acc = chunk(w, blk, i, dl).fma(FloatVector.fromArray(Simd.F, x, xOffset + 256 * b + i), acc);
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
            int a0 = Blocks.u32(w, blk + 96), a1 = Blocks.u32(w, blk + 100), a2 = Blocks.u32(w, blk + 104);
            long lo = KQuantScales.q3Word(a0, a2, 0) & 0xffffffffL | (long) KQuantScales.q3Word(a1, a2, 2) << 32;
            long hi = KQuantScales.q3Word(a0 >>> 4, a2, 4) & 0xffffffffL | (long) KQuantScales.q3Word(a1 >>> 4, a2, 6) << 32;
            float d = Blocks.f16(w, blk + 108) * a.d[e >> 8];
            sum += d * levelSum(w, blk, a.wide, e, lo, hi);
        }
        return sum;
    }

    /**
     * {@code sum_i scale(i) * level_i * a_i} over a super-block, exact (see {@link Q4_KFormat#levelSum});
     * biased scales as the bytes of two longs.
     */
    static int levelSum(MemorySegment w, long blk, short[] qs, int e, long scLo, long scHi) {
        IntVector isum = IntVector.zero(Simd.I8);
        for (int s = 0; s < 16; s++) {
            int n = s >> 3, j = (s >> 1) & 3, l = 16 * (s & 1);
            ShortVector low = Simd.unsigned16(w, blk + 32 + 32 * n + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3);
            // hmask bit (4n + j) of byte l: set means no -4
            ShortVector high = Simd.unsigned16(w, blk + l).lanewise(VectorOperators.LSHR, 4 * n + j).and((short) 1)
                    .lanewise(VectorOperators.LSHL, 2);
            ShortVector prod = low.or(high).sub((short) 4).mul(Simd.act16(qs, e + 16 * s));
            int sc = (int) ((s < 8 ? scLo : scHi) >>> (8 * (s & 7))) & 0xFF;
            isum = isum.add(Simd.pairSum(prod).mul(sc - 32));
        }
        return isum.reduceLanes(VectorOperators.ADD);
    }
}
