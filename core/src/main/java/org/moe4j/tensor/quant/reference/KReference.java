package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.ActivationType;
import org.moe4j.tensor.quant.QuantizedActivations;

/**
 * A K-quant super-block of 256 weights: integer levels {@code q}, sub-blocks of 16 or 32 with an
 * integer scale (and, for Q2_K/Q4_K/Q5_K, an integer min), super-scales {@code d} and {@code dmin}:
 * {@code w = d*scale*q - dmin*min}. The integer dot follows the reference: exact integer sums over the
 * super-block, then {@code (d*dy)*isum - (dmin*dy)*sum(bsum*min)}, the min term using the Q8_K group sums.
 */
abstract class KReference extends ReferenceFormat {
    private final int subSize;

    KReference(GGMLType type, int subSize) {
        super(type, ActivationType.Q8_K);
        this.subSize = subSize;
    }

    abstract int level(MemorySegment s, long blk, int i);

    abstract int scale(MemorySegment s, long blk, int sub);

    int min(MemorySegment s, long blk, int sub) {
        return 0;
    }

    abstract float d(MemorySegment s, long blk);

    float dmin(MemorySegment s, long blk) {
        return 0f;
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] dst, int dstOff) {
        float d = d(src, off), dmin = dmin(src, off);
        for (int i = 0; i < 256; i++) {
            int sub = i / subSize;
            float dl = d * scale(src, off, sub);
            float ml = dmin * min(src, off, sub);
            dst[dstOff + i] = dl * level(src, off, i) - ml;
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        float sumf = 0;
        for (int b = 0; b < n / 256; b++) {
            long blk = byteOffset + (long) b * type().blockBytes;
            int e = elementOffset + 256 * b;
            int isum = 0;
            for (int i = 0; i < 256; i++) {
                isum += scale(w, blk, i / subSize) * level(w, blk, i) * a.qs[e + i];
            }
            int summs = 0;
            for (int g = 0; g < 16; g++) {
                summs += a.bsums[(e >> 4) + g] * min(w, blk, g * 16 / subSize);
            }
            float dy = a.d[e >> 8];
            float dall = dy * d(w, blk);
            float dmin = dy * dmin(w, blk);
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }
}
