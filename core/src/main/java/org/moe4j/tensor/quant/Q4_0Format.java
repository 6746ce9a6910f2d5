package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.GGMLType;

/** Q4_0: {d f16, qs[16]}; element j is the low nibble of qs[j], element j+16 the high one; w = d * (q - 8). */
final class Q4_0Format implements QuantFormat {
    private static final int BLOCK_BYTES = 18;

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
