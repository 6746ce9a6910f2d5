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
        byte[] qs = a.qs;
        FloatVector acc = Simd.zero8();
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            int e = elementOffset + 256 * b;
            IntVector isum = IntVector.zero(Simd.I8);
            for (int h = 0; h < 4; h++) {
                int half = h >> 1, l = 16 * (h & 1);
                ShortVector q = Simd.unsigned16(w, blk + 32 + 32 * half + l);
                // hmask bit (4n + j) moved so that a right shift by it lands on bit 2 (worth 4)
                ShortVector hm = Simd.unsigned16(w, blk + l).lanewise(VectorOperators.LSHL, 2);
                for (int j = 0; j < 4; j++) {
                    ShortVector level = q.lanewise(VectorOperators.LSHR, 2 * j).and((short) 3)
                            .or(hm.lanewise(VectorOperators.LSHR, 4 * half + j).and((short) 4)).sub((short) 4);
                    int sub = 8 * half + 2 * j + (h & 1);
                    isum = isum.add(Simd.pairSum(level.mul(Simd.act16(qs, e + 128 * half + 32 * j + l)))
                            .mul(KQuantScales.scaleQ3(w, blk + 96, sub)));
                }
            }
            acc = Simd.toFloat8(isum).fma(FloatVector.broadcast(Simd.F8, Blocks.f16(w, blk + 108) * a.d[e >> 8]), acc);
        }
        return Simd.sum(acc);
    }
}
