package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.GGMLType;

/**
 * Q4_1: {d f16, m f16, qs[16]}; nibbles as in Q4_0 but unsigned, w = d * q + m. Against Q8_1 activations
 * the offset term is {@code m * s} with {@code s = d_a * sum(q_a)} precomputed per activation block.
 */
final class Q4_1Format implements QuantFormat {
    private static final int BLOCK_BYTES = 20;

    @Override public GGMLType type() { return GGMLType.Q4_1; }
    @Override public ActivationType activationType() { return ActivationType.Q8_1; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(src, blk));
            FloatVector m = Simd.broadcast(Blocks.f16(src, blk + 2));
            int o = dstOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(src, blk + 4 + c);
                Simd.toFloat(p.and((byte) 0x0F)).mul(d).add(m).intoArray(dst, o + c);
                Simd.toFloat(Simd.highNibblesL(p)).mul(d).add(m).intoArray(dst, o + 16 + c);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(Blocks.f16(w, blk));
            FloatVector m = Simd.broadcast(Blocks.f16(w, blk + 2));
            int e = xOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(w, blk + 4 + c);
                acc = Simd.toFloat(p.and((byte) 0x0F)).mul(d).add(m).fma(FloatVector.fromArray(Simd.F, x, e + c), acc);
                acc = Simd.toFloat(Simd.highNibblesL(p)).mul(d).add(m).fma(FloatVector.fromArray(Simd.F, x, e + 16 + c), acc);
            }
        }
        return Simd.sum(acc);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        short[] qs = a.wide;
        float[] ad = a.d, as = a.s;
        FloatVector acc = Simd.zero8();
        float offsets = 0;
        long blk = byteOffset;
        int ia = elementOffset >> 5;
        for (int e = elementOffset, end = elementOffset + n; e < end; e += 32, blk += BLOCK_BYTES, ia++) {
            float d = Blocks.f16(w, blk) * ad[ia];
            offsets += Blocks.f16(w, blk + 2) * as[ia];
            ShortVector p = Simd.unsigned16(w, blk + 4);
            ShortVector prod = p.and((short) 0x0F).mul(Simd.act16(qs, e))
                    .add(p.lanewise(VectorOperators.LSHR, 4).mul(Simd.act16(qs, e + 16)));
            acc = Simd.toFloat8(Simd.pairSum(prod)).fma(FloatVector.broadcast(Simd.F8, d), acc);
        }
        return Simd.sum8(acc) + offsets;
    }
}
