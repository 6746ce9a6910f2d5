package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.ActivationType;
import org.moe4j.tensor.quant.Blocks;
import org.moe4j.tensor.quant.QuantizedActivations;

/** F32, F16 and BF16: element-wise widening; the "integer" dot meets activations rounded to the same type. */
final class FloatReference extends ReferenceFormat {
    FloatReference(GGMLType type) {
        super(type, switch (type) {
            case F32 -> ActivationType.F32;
            case F16 -> ActivationType.F16;
            case BF16 -> ActivationType.BF16;
            default -> throw new IllegalArgumentException(type.toString());
        });
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] dst, int dstOff) {
        dst[dstOff] = switch (type()) {
            case F32 -> Blocks.f32(src, off);
            case F16 -> Blocks.f16(src, off);
            default -> Blocks.bf16(src, off);
        };
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        return dot(w, byteOffset, a.f, elementOffset, n);
    }
}
