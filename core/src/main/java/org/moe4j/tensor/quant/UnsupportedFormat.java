package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;

/** Stands in for a tensor type moe4j cannot compute with, so files using it still open for inspection. */
final class UnsupportedFormat implements QuantFormat {
    private final GGMLType type;

    UnsupportedFormat(GGMLType type) {
        this.type = type;
    }

    private UnsupportedOperationException fail() {
        return new UnsupportedOperationException("tensor type " + type + " is not supported for computation; supported: "
                + java.util.Arrays.stream(GGMLType.values()).filter(QuantFormats::isSupported).toList());
    }

    @Override public GGMLType type() { return type; }
    @Override public ActivationType activationType() { throw fail(); }
    @Override public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) { throw fail(); }
    @Override public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) { throw fail(); }
    @Override public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) { throw fail(); }
}
