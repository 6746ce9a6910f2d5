package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;

/** F32, F16 and BF16: element-wise conversion (round to nearest even). */
final class FloatQuantizer implements Quantizer {
    private final GGMLType type;

    FloatQuantizer(GGMLType type) {
        this.type = type;
    }

    @Override
    public GGMLType type() {
        return type;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            float v = src[srcOff + i];
            switch (type) {
                case F32 -> dst.set(Blocks.FLOAT_LE, dstOff + 4L * i, v);
                case F16 -> dst.set(Blocks.SHORT_LE, dstOff + 2L * i, Float.floatToFloat16(v));
                default -> dst.set(Blocks.SHORT_LE, dstOff + 2L * i, Half.floatToBf16(v));
            }
        }
    }
}
