package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.ActivationType;
import org.moe4j.tensor.quant.Blocks;
import org.moe4j.tensor.quant.Fp4;
import org.moe4j.tensor.quant.Iq4Nl;
import org.moe4j.tensor.quant.QuantizedActivations;

/**
 * The 32-element block types: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL and MXFP4.
 *
 * <p>Layouts (bytes): Q4_0 {d f16, qs[16]}, Q4_1 {d, m f16, qs[16]}, Q5_0 {d, qh u32, qs[16]},
 * Q5_1 {d, m, qh u32, qs[16]}, Q8_0 {d, qs[32] int8}, IQ4_NL {d, qs[16]}, MXFP4 {e u8, qs[16]}.
 * Byte {@code qs[j]} holds element {@code j} in its low nibble and element {@code j + 16} in its high
 * nibble; bit {@code j} of {@code qh} is the fifth bit of element {@code j}.
 */
final class LegacyReference extends ReferenceFormat {
    LegacyReference(GGMLType type) {
        super(type, switch (type) {
            case Q4_1, Q5_1 -> ActivationType.Q8_1;
            case Q4_0, Q5_0, Q8_0, IQ4_NL, MXFP4 -> ActivationType.Q8_0;
            default -> throw new IllegalArgumentException(type.toString());
        });
    }

    /** Offset of the 16 nibble bytes (or the 32 int8 of Q8_0) inside a block. */
    private int qsOffset() {
        return switch (type()) {
            case Q4_0, IQ4_NL, Q8_0 -> 2;
            case Q4_1 -> 4;
            case Q5_0 -> 6;
            case Q5_1 -> 8;
            case MXFP4 -> 1;
            default -> throw new AssertionError();
        };
    }

    /** The integer level of element {@code j} (what multiplies the activation's int8). */
    private int level(MemorySegment s, long blk, int j) {
        long qs = blk + qsOffset();
        if (type() == GGMLType.Q8_0) return Blocks.i8(s, qs + j);
        int nib = j < 16 ? Blocks.u8(s, qs + j) & 0xF : Blocks.u8(s, qs + j - 16) >> 4;
        return switch (type()) {
            case Q4_0 -> nib - 8;
            case Q4_1 -> nib;
            case Q5_0 -> (nib | (((Blocks.u32(s, blk + 2) >>> j) & 1) << 4)) - 16;
            case Q5_1 -> nib | (((Blocks.u32(s, blk + 4) >>> j) & 1) << 4);
            case IQ4_NL -> Iq4Nl.VALUES[nib];
            case MXFP4 -> Fp4.DOUBLED[nib];
            default -> throw new AssertionError();
        };
    }

    private float scale(MemorySegment s, long blk) {
        return type() == GGMLType.MXFP4 ? Fp4.halfScale(Blocks.u8(s, blk)) : Blocks.f16(s, blk);
    }

    private boolean hasMin() {
        return type() == GGMLType.Q4_1 || type() == GGMLType.Q5_1;
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] dst, int dstOff) {
        float d = scale(src, off);
        float m = hasMin() ? Blocks.f16(src, off + 2) : 0f;
        for (int j = 0; j < 32; j++) {
            int q = level(src, off, j);
            dst[dstOff + j] = hasMin() ? q * d + m : q * d;
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        float sumf = 0;
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * type().blockBytes;
            int e = elementOffset + 32 * b;
            int sumi = 0;
            for (int j = 0; j < 32; j++) sumi += level(w, blk, j) * a.qs[e + j];
            float dy = a.d[e >> 5];
            sumf += switch (type()) {
                case Q4_0 -> sumi * scale(w, blk) * dy;
                case Q8_0 -> sumi * (scale(w, blk) * dy);
                case Q4_1, Q5_1 -> (scale(w, blk) * dy) * sumi + Blocks.f16(w, blk + 2) * a.s[e >> 5];
                case MXFP4 -> (dy * scale(w, blk)) * sumi;
                default -> (scale(w, blk) * dy) * sumi;
            };
        }
        return sumf;
    }
}
