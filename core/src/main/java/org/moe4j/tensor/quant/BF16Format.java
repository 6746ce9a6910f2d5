package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.moe4j.tensor.GGMLType;

final class BF16Format implements QuantFormat {
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override public GGMLType type() { return GGMLType.BF16; }
    @Override public ActivationType activationType() { return ActivationType.BF16; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Half.bf16ToFloat(src.get(H, byteOffset + 2L * i));
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Half.bf16ToFloat(w.get(H, byteOffset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        return dot(w, byteOffset, a.f, elementOffset, n);
    }
}
