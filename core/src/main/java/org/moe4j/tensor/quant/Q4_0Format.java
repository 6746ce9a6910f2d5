package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.moe4j.tensor.GGMLType;

/** Q4_0: {d f16, qs[16]}; element j is the low nibble of qs[j], element j+16 the high one; w = d * (q - 8). */
final class Q4_0Format implements QuantFormat {
    private static final int BLOCK_BYTES = 18;

    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_512;
    /**
     * Two blocks' 32 quant bytes from one 64-byte read as 32 zero-extended shorts, in the order of
     * {@link QuantizedActivations#pairs}: short {@code 4k + r} takes byte {@code 2k + r} of the first
     * block ({@code r < 2}) or {@code 2k + r - 2} of the second; the odd bytes (high halves) are zeroed.
     */
    private static final VectorShuffle<Byte> PICK = VectorShuffle.fromOp(B64, j -> {
        int s = j >> 1, k = s >> 2, r = s & 3;
        return r < 2 ? 2 + 2 * k + r : BLOCK_BYTES + 2 + 2 * k + r - 2;
    });
    private static final VectorMask<Byte> LOW_BYTES = VectorMask.fromLong(B64, 0x5555555555555555L);

    @Override public GGMLType type() { return GGMLType.Q4_0; }
    @Override public ActivationType activationType() { return ActivationType.Q8_0; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(src, blk));
            int o = dstOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(src, blk + 2 + c);
                Simd.toFloat(p.and((byte) 0x0F).sub((byte) 8)).mul(d).intoArray(dst, o + c);
                Simd.toFloat(Simd.highNibblesL(p).sub((byte) 8)).mul(d).intoArray(dst, o + 16 + c);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(w, blk));
            int e = xOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(w, blk + 2 + c);
                acc = Simd.toFloat(p.and((byte) 0x0F).sub((byte) 8)).mul(d).fma(FloatVector.fromArray(Simd.F, x, e + c), acc);
                acc = Simd.toFloat(Simd.highNibblesL(p).sub((byte) 8)).mul(d).fma(FloatVector.fromArray(Simd.F, x, e + 16 + c), acc);
            }
        }
        return Simd.sum(acc);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        if (L == 16) return dot512(w, byteOffset, a, elementOffset, n);
        return dot256(w, byteOffset, a, elementOffset, n);
    }

    /**
     * Two blocks per step: after {@link #PICK} the int lanes alternate between the blocks, so one multiply
     * by the two scales packed as a long ({@code d0, d1, d0, d1 ...}) scales both. The 64-byte read runs
     * 28 bytes past the pair; where that would leave the segment (the last pairs of a tensor) and for an
     * odd last block a scalar loop finishes the row.
     */
    private static float dot512(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        short[] pq = a.pairs;
        float[] ad = a.d;
        FloatVector acc = Simd.zero();
        int pairs = pairs(w, byteOffset, elementOffset, n);
        for (int i = 0; i < pairs; i++) { // a counted loop, so the JIT drops the array range checks
            int ep = elementOffset + 64 * i, ib = (elementOffset >> 5) + 2 * i;
            ByteVector raw = ByteVector.fromMemorySegment(B64, w, byteOffset + 2L * BLOCK_BYTES * i, ByteOrder.LITTLE_ENDIAN);
            ShortVector p = raw.rearrange(PICK, LOW_BYTES).reinterpretAsShorts();
            ShortVector lo = p.and((short) 0x0F).sub((short) 8), hi = p.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
            ShortVector scales = raw.reinterpretAsShorts();
            float d0 = Float.float16ToFloat(scales.lane(0)), d1 = Float.float16ToFloat(scales.lane(BLOCK_BYTES / 2));
            ShortVector prod = lo.mul(Simd.act32(pq, ep)).add(hi.mul(Simd.act32(pq, ep + 32)));
            acc = ((FloatVector) Simd.pairSum32(prod).convert(VectorOperators.I2F, 0)).fma(packed(d0 * ad[ib], d1 * ad[ib + 1]), acc);
        }
        acc = acc.add(acc.rearrange(Simd.FOLD_8)); // Simd.sum written out (see Simd.FOLD_8)
        acc = acc.add(acc.rearrange(Simd.FOLD_4));
        acc = acc.add(acc.rearrange(Simd.FOLD_2));
        return tail(w, byteOffset, a, elementOffset, n, pairs, acc.add(acc.rearrange(Simd.FOLD_1)).lane(0));
    }

    /**
     * Two tokens (elements {@code e0 ..} and {@code e0 + n ..}) against one row, each weight pair widened
     * once; per token the operations of {@link #dot512}.
     */
    private static void dot2(MemorySegment w, long byteOffset, QuantizedActivations a, int e0, int n,
                             float[] y, int yOff, int yStride) {
        short[] pq = a.pairs;
        float[] ad = a.d;
        FloatVector acc0 = Simd.zero(), acc1 = Simd.zero();
        int e1 = e0 + n;
        int pairs = pairs(w, byteOffset, e0, n);
        for (int i = 0; i < pairs; i++) {
            int ib0 = (e0 >> 5) + 2 * i, ib1 = (e1 >> 5) + 2 * i;
            ByteVector raw = ByteVector.fromMemorySegment(B64, w, byteOffset + 2L * BLOCK_BYTES * i, ByteOrder.LITTLE_ENDIAN);
            ShortVector p = raw.rearrange(PICK, LOW_BYTES).reinterpretAsShorts();
            ShortVector lo = p.and((short) 0x0F).sub((short) 8), hi = p.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
            ShortVector scales = raw.reinterpretAsShorts();
            float d0 = Float.float16ToFloat(scales.lane(0)), d1 = Float.float16ToFloat(scales.lane(BLOCK_BYTES / 2));
            int ep0 = e0 + 64 * i, ep1 = e1 + 64 * i;
            ShortVector prod0 = lo.mul(Simd.act32(pq, ep0)).add(hi.mul(Simd.act32(pq, ep0 + 32)));
            acc0 = ((FloatVector) Simd.pairSum32(prod0).convert(VectorOperators.I2F, 0)).fma(packed(d0 * ad[ib0], d1 * ad[ib0 + 1]), acc0);
            ShortVector prod1 = lo.mul(Simd.act32(pq, ep1)).add(hi.mul(Simd.act32(pq, ep1 + 32)));
            acc1 = ((FloatVector) Simd.pairSum32(prod1).convert(VectorOperators.I2F, 0)).fma(packed(d0 * ad[ib1], d1 * ad[ib1 + 1]), acc1);
        }
        // both lane sums together (Simd.UPPER_HALF), written out (Simd.FOLD_8)
        FloatVector s = acc0.blend(acc1, Simd.UPPER_HALF).add(acc1.blend(acc0, Simd.UPPER_HALF).rearrange(Simd.FOLD_8));
        s = s.add(s.rearrange(Simd.FOLD_4));
        s = s.add(s.rearrange(Simd.FOLD_2));
        s = s.add(s.rearrange(Simd.FOLD_1));
        y[yOff] = tail(w, byteOffset, a, e0, n, pairs, s.lane(0));
        y[yOff + yStride] = tail(w, byteOffset, a, e1, n, pairs, s.lane(8));
    }

    /** Block pairs the 512-bit loop takes: whole pairs from an even block whose 64-byte read stays in the segment. */
    private static int pairs(MemorySegment w, long byteOffset, int e, int n) {
        if ((e & 63) != 0) return 0;
        return (int) Math.min(n >> 6, Math.max(0, (w.byteSize() - 64 - byteOffset) / (2 * BLOCK_BYTES) + 1));
    }

    /** Two scales as the lanes {@code s0, s1, s0, s1 ...}, matching the int lanes of a pair. */
    private static FloatVector packed(float s0, float s1) {
        long bits = (Float.floatToRawIntBits(s0) & 0xffffffffL) | ((long) Float.floatToRawIntBits(s1) << 32);
        return LongVector.broadcast(LongVector.SPECIES_512, bits).reinterpretAsFloats();
    }

    /**
     * {@code sum} plus the blocks after the first {@code pairs} pairs (a tensor's last pair, an odd last
     * block), in scalar code: it runs too rarely for the JIT to compile vector code for it, and
     * uncompiled vector code is slow and allocates.
     */
    private static float tail(MemorySegment w, long byteOffset, QuantizedActivations a, int e0, int n, int pairs, float sum) {
        short[] qs = a.wide;
        long blk = byteOffset + 2L * BLOCK_BYTES * pairs;
        for (int e = e0 + 64 * pairs, ia = e >> 5; e < e0 + n; e += 32, blk += BLOCK_BYTES, ia++) {
            int isum = 0;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(w, blk + 2 + j);
                isum += ((q & 0x0F) - 8) * qs[e + j] + ((q >> 4) - 8) * qs[e + 16 + j];
            }
            sum += Blocks.f16(w, blk) * a.d[ia] * isum;
        }
        return sum;
    }

    @Override
    public void dotTokens(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n,
                          int tokens, float[] y, int yOff, int yStride) {
        int t = 0;
        if (L == 16) {
            for (; t + 2 <= tokens; t += 2) dot2(w, byteOffset, a, elementOffset + t * n, n, y, yOff + t * yStride, yStride);
        }
        for (; t < tokens; t++) y[yOff + t * yStride] = dot(w, byteOffset, a, elementOffset + t * n, n);
    }

    private static float dot256(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        short[] qs = a.wide;
        float[] ad = a.d;
        FloatVector acc = Simd.zero8();
        long blk = byteOffset;
        int ia = elementOffset >> 5;
        for (int e = elementOffset, end = elementOffset + n; e < end; e += 32, blk += BLOCK_BYTES, ia++) {
            float d = Blocks.f16(w, blk) * ad[ia];
            ShortVector p = Simd.unsigned16(w, blk + 2);
            ShortVector prod = p.and((short) 0x0F).sub((short) 8).mul(Simd.act16(qs, e))
                    .add(p.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(Simd.act16(qs, e + 16)));
            acc = Simd.toFloat8(Simd.pairSum(prod)).fma(FloatVector.broadcast(Simd.F8, d), acc);
        }
        return Simd.sum8(acc);
    }
}
