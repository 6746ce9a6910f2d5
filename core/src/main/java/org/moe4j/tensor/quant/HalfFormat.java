package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import org.moe4j.tensor.GGMLType;

/** F16 (IEEE half) and BF16 weights, widened to floats; their "integer" dot meets activations rounded to the same type. */
final class HalfFormat implements QuantFormat {
    private final boolean brain;

    HalfFormat(boolean brain) {
        this.brain = brain;
    }

    @Override public GGMLType type() { return brain ? GGMLType.BF16 : GGMLType.F16; }
    @Override public ActivationType activationType() { return brain ? ActivationType.BF16 : ActivationType.F16; }

    private FloatVector chunk(MemorySegment s, long off) {
        return brain ? Simd.bfloat16s(s, off) : Simd.halves(s, off);
    }

    private float scalar(MemorySegment s, long off) {
        return brain ? Blocks.bf16(s, off) : Blocks.f16(s, off);
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int i = 0;
        for (; i + L <= n; i += L) chunk(src, byteOffset + 2L * i).intoArray(dst, dstOffset + i);
        for (; i < n; i++) dst[dstOffset + i] = scalar(src, byteOffset + 2L * i);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        int i = 0;
        for (; i + L <= n; i += L) acc = chunk(w, byteOffset + 2L * i).fma(FloatVector.fromArray(Simd.F, x, xOffset + i), acc);
        float sum = Simd.sum(acc);
        for (; i < n; i++) sum += scalar(w, byteOffset + 2L * i) * x[xOffset + i];
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        return dot(w, byteOffset, a.f, elementOffset, n);
    }
}
