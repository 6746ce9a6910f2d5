package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.ActivationType;
import org.moe4j.tensor.quant.QuantFormat;

/**
 * Plain scalar formats written to mirror the reference engine's generic C code line by line: the
 * yardstick the vector kernels are tested against. Dequantization works block by block; the float dot
 * product multiplies dequantized weights with activations in element order.
 */
abstract class ReferenceFormat implements QuantFormat {
    private final GGMLType type;
    private final ActivationType activationType;

    ReferenceFormat(GGMLType type, ActivationType activationType) {
        this.type = type;
        this.activationType = activationType;
    }

    @Override public final GGMLType type() { return type; }
    @Override public final ActivationType activationType() { return activationType; }

    /** Writes the {@code type().blockSize} values of the block at {@code off} to {@code dst[dstOff..]}. */
    abstract void dequantizeBlock(MemorySegment src, long off, float[] dst, int dstOff);

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int bs = type.blockSize;
        for (int b = 0; b < n / bs; b++) {
            dequantizeBlock(src, byteOffset + (long) b * type.blockBytes, dst, dstOffset + b * bs);
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        int bs = type.blockSize;
        float[] tmp = new float[bs];
        float sum = 0;
        for (int b = 0; b < n / bs; b++) {
            dequantizeBlock(w, byteOffset + (long) b * type.blockBytes, tmp, 0);
            for (int j = 0; j < bs; j++) sum += tmp[j] * x[xOffset + b * bs + j];
        }
        return sum;
    }
}
