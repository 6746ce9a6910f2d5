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
 * Q5_K: {d f16, dmin f16, scales[12], qh[32], qs[128]}; Q4_K plus a fifth bit: weight {@code 64g + r}
 * (sub-block {@code 2g + r/32}) takes bit {@code 2g + r/32} of {@code qh[r % 32]}.
 */
final class Q5_KFormat implements QuantFormat {
    private static final int BLOCK_BYTES = 176;

    @Override public GGMLType type() { return GGMLType.Q5_K; }
    @Override public ActivationType activationType() { return ActivationType.Q8_K; }

    private static FloatVector chunk(MemorySegment s, long blk, int sub, int c, FloatVector dl, FloatVector ml) {
        ByteVector p = Simd.load(s, blk + 48 + 32 * (sub >> 1) + c);
        ByteVector q = (sub & 1) == 0 ? p.and((byte) 0x0F) : Simd.highNibblesL(p);
        ByteVector h = Simd.load(s, blk + 16 + c).and((byte) (1 << sub));
        q = q.lanewise(VectorOperators.OR, (byte) 16, h.compare(VectorOperators.NE, (byte) 0));
        return Simd.toFloat(q).mul(dl).sub(ml);
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(src, blk), dmin = Blocks.f16(src, blk + 2);
            for (int sub = 0; sub < 8; sub++) {
                FloatVector dl = Simd.broadcast(d * KQuantScales.scaleK4(src, blk + 4, sub));
                FloatVector ml = Simd.broadcast(dmin * KQuantScales.minK4(src, blk + 4, sub));
                for (int c = 0; c < 32; c += L) {
                    chunk(src, blk, sub, c, dl, ml).intoArray(dst, dstOffset + 256 * b + 32 * sub + c);
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Blocks.f16(w, blk), dmin = Blocks.f16(w, blk + 2);
            for (int sub = 0; sub < 8; sub++) {
                FloatVector dl = Simd.broadcast(d * KQuantScales.scaleK4(w, blk + 4, sub));
                FloatVector ml = Simd.broadcast(dmin * KQuantScales.minK4(w, blk + 4, sub));
                for (int c = 0; c < 32; c += L) {
                    acc = chunk(w, blk, sub, c, dl, ml).fma(FloatVector.fromArray(Simd.F, x, xOffset + 256 * b + 32 * sub + c), acc);
                }
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
            int a0 = Blocks.u32(w, blk + 4), a1 = Blocks.u32(w, blk + 8), a2 = Blocks.u32(w, blk + 12);
            float dy = a.d[e >> 8];
            int isum = levelSum(w, blk, a.wide, e, KQuantScales.k4LowScales(a0), KQuantScales.k4HighScales(a0, a2));
            int summs = Simd.minTerm(a.bsums, e >> 4, KQuantScales.k4LowMins(a1), KQuantScales.k4HighMins(a1, a2));
            sum += Blocks.f16(w, blk) * dy * isum - Blocks.f16(w, blk + 2) * dy * summs;
        }
        return sum;
    }

    /** {@code sum_i scale(i) * q_i * a_i} over a super-block, exact (see {@link Q4_KFormat#levelSum}). */
    static int levelSum(MemorySegment w, long blk, short[] qs, int e, int scLo, int scHi) {
        IntVector isum = IntVector.zero(Simd.I8);
        for (int s = 0; s < 8; s++) {
            long q = blk + 48 + 32 * (s >> 1);
            int shift = 4 * (s & 1), ea = e + 32 * s;
            // fifth bit s of qh: shifted so that bit s lands on bit 4
            ShortVector l0 = Simd.unsigned16(w, q).lanewise(VectorOperators.LSHR, shift).and((short) 0x0F)
                    .or(Simd.unsigned16(w, blk + 16).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.LSHR, s).and((short) 16));
            ShortVector l1 = Simd.unsigned16(w, q + 16).lanewise(VectorOperators.LSHR, shift).and((short) 0x0F)
                    .or(Simd.unsigned16(w, blk + 32).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.LSHR, s).and((short) 16));
            ShortVector prod = l0.mul(Simd.act16(qs, ea)).add(l1.mul(Simd.act16(qs, ea + 16)));
            int sc = ((s < 4 ? scLo : scHi) >>> (8 * (s & 3))) & 0xFF;
            isum = isum.add(Simd.pairSum(prod).mul(sc));
        }
        return isum.reduceLanes(VectorOperators.ADD);
    }
}
