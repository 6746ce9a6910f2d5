package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.moe4j.tensor.GGMLType;

final class F32Format implements QuantFormat {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override public GGMLType type() { return GGMLType.F32; }
    @Override public ActivationType activationType() { return ActivationType.F32; }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(src, F, byteOffset, dst, dstOffset, n);
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            FloatVector wv = FloatVector.fromMemorySegment(S, w, byteOffset + 4L * i, ByteOrder.LITTLE_ENDIAN);
            acc = wv.fma(FloatVector.fromArray(S, x, xOffset + i), acc);
        }
        float sum = Simd.sum(acc);
        for (; i < n; i++) {
            sum += w.get(F, byteOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n) {
        return dot(w, byteOffset, a.f, elementOffset, n);
    }
}
