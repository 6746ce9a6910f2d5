package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;

/**
 * The block layout of one tensor type: dequantization and dot products against activations.
 *
 * <p>Two dot products exist because two numerical contracts exist. {@link #dot(MemorySegment, long, float[], int, int)}
 * multiplies the exactly dequantized weights with float activations ("dequantize, then float32 math").
 * {@link #dot(MemorySegment, long, QuantizedActivations, int, int)} consumes activations already encoded as
 * {@link #activationType()} and computes what the reference engine's integer kernels compute, which is
 * also the fast path. Offsets: {@code byteOffset} into the weight bytes (start of a block), element
 * offsets into the activations (a multiple of the block size); {@code n} is a multiple of the block size.
 * Implementations are stateless and thread-safe.
 */
public interface QuantFormat {
    GGMLType type();

    ActivationType activationType();

    void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n);

    float dot(MemorySegment w, long byteOffset, float[] x, int xOffset, int n);

    float dot(MemorySegment w, long byteOffset, QuantizedActivations a, int elementOffset, int n);

    /**
     * One weight row against the encoded rows of several tokens: {@code y[yOff + t * yStride] =
     * dot(w, byteOffset, a, t * n, n)} for {@code t < tokens}. Formats may override it to decode each
     * weight block once for a tile of tokens (the prefill path); an override computes every token with
     * exactly the arithmetic of {@link #dot(MemorySegment, long, QuantizedActivations, int, int)}, so a
     * token's result never depends on the batch it was computed in.
     */
    default void dotTokens(MemorySegment w, long byteOffset, QuantizedActivations a, int n, int tokens,
                           float[] y, int yOff, int yStride) {
        for (int t = 0; t < tokens; t++) y[yOff + t * yStride] = dot(w, byteOffset, a, t * n, n);
    }
}
