package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.moe4j.tensor.GGMLType;

/** Q8_0: blocks of 32 weights, an F16 scale d then 32 signed bytes; w = d * q. */
final class Q8_0Format implements QuantFormat {
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK_BYTES = 34;

    @Override public GGMLType type() { return GGMLType.Q8_0; }
    @Override public ActivationType activationType() { return ActivationType.Q8_0; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(H, blk));
            for (int j = 0; j < 32; j++) {
                dst[dstOffset + b * 32 + j] = d * src.get(ValueLayout.JAVA_BYTE, blk + 2 + j);
            }
        }
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(w.get(H, blk));
            float s = 0;
            for (int j = 0; j < 32; j++) {
                s += w.get(ValueLayout.JAVA_BYTE, blk + 2 + j) * x[xOffset + b * 32 + j];
            }
            sum += d * s;
        }
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        float sum = 0;
        for (int b = 0; b < n / 32; b++) {
            long blk = byteOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(w.get(H, blk));
            int e = elementOffset + b * 32;
            int s = 0;
            for (int j = 0; j < 32; j++) {
                s += w.get(ValueLayout.JAVA_BYTE, blk + 2 + j) * a.qs[e + j];
            }
            sum += d * a.d[e >> 5] * s;
        }
        return sum;
    }
}
