package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.GGMLType;

/**
 * BF16 weights, widened to floats; the "integer" dot meets activations rounded to BF16. Kept apart from
 * its 16-bit sibling on purpose: a shared kernel branching on the type gets its profile polluted when
 * both are used, recompiles bigger and stops inlining the vector code.
 */
final class BF16Format implements QuantFormat {
    @Override public GGMLType type() { return GGMLType.BF16; }
    @Override public ActivationType activationType() { return ActivationType.BF16; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int i = 0;
        for (; i + L <= n; i += L) Simd.bfloat16s(src, byteOffset + 2L * i).intoArray(dst, dstOffset + i);
        for (; i < n; i++) dst[dstOffset + i] = Blocks.bf16(src, byteOffset + 2L * i);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = Simd.zero();
        int i = 0;
        for (; i + L <= n; i += L) acc = Simd.bfloat16s(w, byteOffset + 2L * i).fma(FloatVector.fromArray(Simd.F, x, xOffset + i), acc);
        float sum = Simd.sum(acc);
        for (; i < n; i++) sum += Blocks.bf16(w, byteOffset + 2L * i) * x[xOffset + i];
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        return dot(w, byteOffset, a.f, elementOffset, n);
    }
}
