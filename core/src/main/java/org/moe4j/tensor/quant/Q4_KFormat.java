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
 * Q4_K: super-blocks of 256 {d f16, dmin f16, scales[12], qs[128]}; 8 sub-blocks of 32 with 6-bit scale
 * and min ({@link KQuantScales}); each 64 weights share 32 bytes, low nibbles first. w = d*sc*q - dmin*m.
 */
final class Q4_KFormat implements QuantFormat {
    private static final int BLOCK_BYTES = 144;

    @Override public GGMLType type() { return GGMLType.Q4_K; }
    @Override public ActivationType activationType() { return ActivationType.Q8_K; }

    private static FloatVector chunk(MemorySegment s, long blk, int sub, int c, FloatVector dl, FloatVector ml) {
        ByteVector p = Simd.load(s, blk + 16 + 32 * (sub >> 1) + c);
        ByteVector q = (sub & 1) == 0 ? p.and((byte) 0x0F) : Simd.highNibblesL(p);
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
        if (L == 16) return dot512(w, byteOffset, a, elementOffset, n);
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

    /**
     * The 512-bit form: a group's 32 bytes widened once give both of its sub-blocks as 32 shorts each
     * (low and high nibbles); per sub-block the pair sums of its products times its scale are added
     * in 16 int lanes (exact: at most 8 * 63 * 2 * 15 * 127 per lane), which go into a float
     * accumulator once per super-block. Everything stays in one compiled method, without helpers that take
     * or return vectors (one compiled on its own first is then not inlined, and boxes): the JIT's inlining
     * budget allows about this much vector code, and the 16-byte header is read as two longs because
     * every segment access spends a large part of that budget.
     */
    private static float dot512(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        short[] qs = a.wide;
        FloatVector acc = Simd.zero();
        float mins = 0;
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            int e = elementOffset + 256 * b;
            long h0 = w.get(Blocks.LONG_LE, blk), h1 = w.get(Blocks.LONG_LE, blk + 8);
            int a0 = (int) (h0 >>> 32), a1 = (int) h1, a2 = (int) (h1 >>> 32);
            int scLo = KQuantScales.k4LowScales(a0), scHi = KQuantScales.k4HighScales(a0, a2);
            IntVector isum = IntVector.zero(Simd.IL);
            for (int g = 0; g < 4; g++) { // sub-blocks 2g and 2g + 1
                int sc = (g < 2 ? scLo : scHi) >>> (16 * (g & 1));
                ShortVector p = Simd.unsigned32(w, blk + 16 + 32 * g);
                // |q * a| <= 15 * 127, so the pair sums fit a short
                IntVector lo = Simd.pairSum32(p.and((short) 0x0F).mul(Simd.act32(qs, e + 64 * g)));
                IntVector hi = Simd.pairSum32(p.lanewise(VectorOperators.LSHR, 4).mul(Simd.act32(qs, e + 64 * g + 32)));
                isum = isum.add(lo.mul(sc & 0xFF)).add(hi.mul((sc >>> 8) & 0xFF));
            }
            float dy = a.d[e >> 8];
            float d = Float.float16ToFloat((short) h0) * dy, dmin = Float.float16ToFloat((short) (h0 >>> 16)) * dy;
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(Simd.broadcast(d), acc);
            mins += dmin * Simd.minTerm(a.bsums, e >> 4, KQuantScales.k4LowMins(a1), KQuantScales.k4HighMins(a1, a2));
        }
        acc = acc.add(acc.rearrange(Simd.FOLD_8)); // Simd.sum written out (see Simd.FOLD_8)
        acc = acc.add(acc.rearrange(Simd.FOLD_4));
        acc = acc.add(acc.rearrange(Simd.FOLD_2));
        return acc.add(acc.rearrange(Simd.FOLD_1)).lane(0) - mins;
    }


    /**
     * {@code sum_i scale(i) * q_i * a_i} over a super-block, exact. Vector code stays in small methods
     * that return scalars: past a graph size the JIT stops inlining, and a vector crossing a call it did
     * not inline is boxed on the heap.
     */
    static int levelSum(MemorySegment w, long blk, short[] qs, int e, int scLo, int scHi) {
        IntVector isum = IntVector.zero(Simd.I8);
        for (int g = 0; g < 4; g++) {
            long q = blk + 16 + 32 * g;
            int ea = e + 64 * g;
            int sc = (g < 2 ? scLo : scHi) >>> (16 * (g & 1));
            ShortVector p0 = Simd.unsigned16(w, q), p1 = Simd.unsigned16(w, q + 16);
            // |q*a| <= 15*127: two products still fit a short
            ShortVector lo = p0.and((short) 0x0F).mul(Simd.act16(qs, ea))
                    .add(p1.and((short) 0x0F).mul(Simd.act16(qs, ea + 16)));
            ShortVector hi = p0.lanewise(VectorOperators.LSHR, 4).mul(Simd.act16(qs, ea + 32))
                    .add(p1.lanewise(VectorOperators.LSHR, 4).mul(Simd.act16(qs, ea + 48)));
            isum = isum.add(Simd.pairSum(lo).mul(sc & 0xFF)).add(Simd.pairSum(hi).mul((sc >>> 8) & 0xFF));
        }
        return isum.reduceLanes(VectorOperators.ADD);
    }
}
