package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.GGMLType;

/**
 * The 4-bit table formats, nibbles laid out as in Q4_0 and mapped through a 16-entry int8 table:
 * IQ4_NL {d f16, qs[16]} with its non-linear levels, and MXFP4 {e u8, qs[16]} with doubled E2M1 values and
 * half the E8M0 scale. Both meet Q8_0 activations; the table lookup is a byte shuffle.
 */
final class TableFormat implements QuantFormat {
    private final GGMLType type;
    private final int blockBytes, qsOff;
    private final ByteVector table16;
    private final ByteVector[] tableL;

    TableFormat(GGMLType type) {
        this.type = type;
        boolean mx = type == GGMLType.MXFP4;
        byte[] t = mx ? Fp4.DOUBLED : Iq4Nl.VALUES;
        this.blockBytes = type.blockBytes;
        this.qsOff = mx ? 1 : 2;
        this.table16 = ByteVector.fromArray(Simd.B16, t, 0);
        this.tableL = Simd.table16(t);
    }

    @Override public GGMLType type() { return type; }
    @Override public ActivationType activationType() { return ActivationType.Q8_0; }

    private float scale(MemorySegment s, long blk) {
        return type == GGMLType.MXFP4 ? Fp4.halfScale(Blocks.u8(s, blk)) : Blocks.f16(s, blk);
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        ByteVector tlo = tableL[0], thi = tableL[1];
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * blockBytes;
            FloatVector d = Simd.broadcast(scale(src, blk));
            int o = dstOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(src, blk + qsOff + c);
                Simd.toFloat(Simd.lookup16(p.and((byte) 0x0F), tlo, thi)).mul(d).intoArray(dst, o + c);
                Simd.toFloat(Simd.lookup16(Simd.highNibblesL(p), tlo, thi)).mul(d).intoArray(dst, o + 16 + c);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        ByteVector tlo = tableL[0], thi = tableL[1];
        FloatVector acc = Simd.zero();
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * blockBytes;
            FloatVector d = Simd.broadcast(scale(w, blk));
            int e = xOffset + 32 * b;
            for (int c = 0; c < 16; c += L) {
                ByteVector p = Simd.load(w, blk + qsOff + c);
                FloatVector lo = Simd.toFloat(Simd.lookup16(p.and((byte) 0x0F), tlo, thi)).mul(d);
                FloatVector hi = Simd.toFloat(Simd.lookup16(Simd.highNibblesL(p), tlo, thi)).mul(d);
                acc = lo.fma(FloatVector.fromArray(Simd.F, x, e + c), acc);
                acc = hi.fma(FloatVector.fromArray(Simd.F, x, e + 16 + c), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        short[] qs = a.wide;
        float[] ad = a.d;
        ByteVector table = table16;
        FloatVector acc = Simd.zero8();
        long blk = byteOffset;
        int ia = elementOffset >> 5;
        for (int e = elementOffset, end = elementOffset + n; e < end; e += 32, blk += blockBytes, ia++) {
            float d = scale(w, blk) * ad[ia];
            ByteVector p = Simd.bytes16(w, blk + qsOff);
            // |level| <= 127, so two products still fit a short
            ShortVector prod = Simd.widen(p.and((byte) 0x0F).selectFrom(table)).mul(Simd.act16(qs, e))
                    .add(Simd.widen(Simd.highNibbles(p).selectFrom(table)).mul(Simd.act16(qs, e + 16)));
            acc = Simd.toFloat8(Simd.pairSum(prod)).fma(FloatVector.broadcast(Simd.F8, d), acc);
        }
        return Simd.sum(acc);
    }
}
