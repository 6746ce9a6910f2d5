package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.GGMLType;

/**
 * MXFP4 {e u8, qs[16]}: nibbles laid out as in Q4_0, E2M1 codes mapped to twice their value ({@link Fp4}),
 * scaled by half the E8M0 scale. Meets Q8_0 activations; the table lookup is a byte shuffle. A class of
 * its own (not shared with the other table format) so each kernel keeps a clean profile and compiles
 * small.
 */
final class MXFP4Format implements QuantFormat {
    private static final int BLOCK_BYTES = 17, QS = 1;
    private static final ByteVector TABLE16 = ByteVector.fromArray(Simd.B16, Fp4.DOUBLED, 0);
    private static final ByteVector[] TABLE_L = Simd.table16(Fp4.DOUBLED);

    @Override public GGMLType type() { return GGMLType.MXFP4; }
    @Override public ActivationType activationType() { return ActivationType.Q8_0; }

    private static float scale(MemorySegment s, long blk) {
        return Fp4.halfScale(Blocks.u8(s, blk));
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        ByteVector tlo = TABLE_L[0], thi = TABLE_L[1];
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(scale(src, blk));
            int o = dstOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(src, blk + QS + c);
                Simd.toFloat(Simd.lookup16(p.and((byte) 0x0F), tlo, thi)).mul(d).intoArray(dst, o + c);
                Simd.toFloat(Simd.lookup16(Simd.highNibblesL(p), tlo, thi)).mul(d).intoArray(dst, o + 16 + c);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        ByteVector tlo = TABLE_L[0], thi = TABLE_L[1];
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            FloatVector d = Simd.broadcast(scale(w, blk));
            int e = xOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(w, blk + QS + c);
                FloatVector lo = Simd.toFloat(Simd.lookup16(p.and((byte) 0x0F), tlo, thi)).mul(d);
                FloatVector hi = Simd.toFloat(Simd.lookup16(Simd.highNibblesL(p), tlo, thi)).mul(d);
                acc = lo.fma(FloatVector.fromArray(Simd.F, x, e + c), acc);
                acc = hi.fma(FloatVector.fromArray(Simd.F, x, e + 16 + c), acc);
            }
        }
        return Simd.sum(acc);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        short[] qs = a.wide;
        float[] ad = a.d;
        ByteVector table = TABLE16;
        FloatVector acc = Simd.zero8();
        long blk = byteOffset;
        int ia = elementOffset >> 5;
        for (int e = elementOffset, end = elementOffset + n; e < end; e += 32, blk += BLOCK_BYTES, ia++) {
            float d = scale(w, blk) * ad[ia];
            ByteVector p = Simd.bytes16(w, blk + QS);
            // |level| <= 127, so two products still fit a short
            ShortVector prod = Simd.widen(p.and((byte) 0x0F).selectFrom(table)).mul(Simd.act16(qs, e))
                    .add(Simd.widen(Simd.highNibbles(p).selectFrom(table)).mul(Simd.act16(qs, e + 16)));
            acc = Simd.toFloat8(Simd.pairSum(prod)).fma(FloatVector.broadcast(Simd.F8, d), acc);
        }
        return Simd.sum8(acc);
    }
}
