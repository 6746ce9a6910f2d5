package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.GGMLType;

/**
 * Q5_0 {d f16, qh u32, qs[16]}: Q4_0's nibbles plus a fifth bit, bit j of qh for element j;
 * w = d * (q - 16), against Q8_0. The fifth bits become lane masks straight from the qh bits.
 * Q5_1Format is its twin with a min; the two are separate classes so neither kernel's profile or
 * graph carries the other's branches.
 */
final class Q5_0Format implements QuantFormat {
    private static final boolean WITH_MIN = false;
    private static final int BLOCK_BYTES = 22, QH = 2, QS = 6;
    private static final byte BIAS = 16;

    @Override public GGMLType type() { return GGMLType.Q5_0; }
    @Override public ActivationType activationType() { return ActivationType.Q8_0; }

    private static ByteVector fifthBit(ByteVector v, int qh, int first) {
        VectorMask<Byte> m = VectorMask.fromLong(Simd.B, (qh >>> first) & ((1L << L) - 1));
        return v.lanewise(VectorOperators.OR, (byte) 16, m);
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(src, blk));
            FloatVector m = Simd.broadcast(WITH_MIN ? Blocks.f16(src, blk + 2) : 0f);
            int qh = Blocks.u32(src, blk + QH);
            int o = dstOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(src, blk + QS + c);
                FloatVector lo = Simd.toFloat(fifthBit(p.and((byte) 0x0F), qh, c).sub(BIAS)).mul(d);
                FloatVector hi = Simd.toFloat(fifthBit(Simd.highNibblesL(p), qh, 16 + c).sub(BIAS)).mul(d);
                (WITH_MIN ? lo.add(m) : lo).intoArray(dst, o + c);
                (WITH_MIN ? hi.add(m) : hi).intoArray(dst, o + 16 + c);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(w, blk));
            FloatVector m = Simd.broadcast(WITH_MIN ? Blocks.f16(w, blk + 2) : 0f);
            int qh = Blocks.u32(w, blk + QH);
            int e = xOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(w, blk + QS + c);
                FloatVector lo = Simd.toFloat(fifthBit(p.and((byte) 0x0F), qh, c).sub(BIAS)).mul(d);
                FloatVector hi = Simd.toFloat(fifthBit(Simd.highNibblesL(p), qh, 16 + c).sub(BIAS)).mul(d);
                if (WITH_MIN) {
                    lo = lo.add(m);
                    hi = hi.add(m);
                }
                acc = lo.fma(FloatVector.fromArray(Simd.F, x, e + c), acc);
                acc = hi.fma(FloatVector.fromArray(Simd.F, x, e + 16 + c), acc);
            }
        }
        return Simd.sum(acc);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        short[] qs = a.wide;
        float[] ad = a.d, as = a.s;
        short bias16 = BIAS;
        FloatVector acc = Simd.zero8();
        float offsets = 0;
        long blk = byteOffset;
        int ia = elementOffset >> 5;
        for (int e = elementOffset, end = elementOffset + n; e < end; e += 32, blk += BLOCK_BYTES, ia++) {
            float d = Blocks.f16(w, blk) * ad[ia];
            if (WITH_MIN) offsets += Blocks.f16(w, blk + 2) * as[ia];
            int qh = Blocks.u32(w, blk + QH);
            ShortVector p = Simd.unsigned16(w, blk + QS);
            ShortVector lo = p.and((short) 0x0F)
                    .lanewise(VectorOperators.OR, (short) 16, VectorMask.fromLong(Simd.S16, qh & 0xFFFF));
            ShortVector hi = p.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.OR, (short) 16, VectorMask.fromLong(Simd.S16, qh >>> 16));
            ShortVector prod = lo.sub(bias16).mul(Simd.act16(qs, e)).add(hi.sub(bias16).mul(Simd.act16(qs, e + 16)));
            acc = Simd.toFloat8(Simd.pairSum(prod)).fma(FloatVector.broadcast(Simd.F8, d), acc);
        }
        return Simd.sum8(acc) + offsets;
    }
}
