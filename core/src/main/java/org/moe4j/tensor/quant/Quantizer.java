package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;

/**
 * Encodes floats into the blocks of one tensor type (the inverse of {@link QuantFormat#dequantize}).
 * The K-quant and IQ4_NL encoders search scales as the reference's quantizer does without an importance
 * matrix, so the error is what its files have: on the conformance files every type but MXFP4 reproduces
 * the reference's bytes exactly (MXFP4 also tries the next exponent and lands below the reference's
 * error). Bit-identity is not a contract, though.
 * Implementations are stateless and thread-safe; see {@link Quantizers} for rows and the registry.
 */
public interface Quantizer {
    GGMLType type();

    /** Quantizes {@code src[srcOff .. srcOff + n)} ({@code n} a multiple of the block size) to blocks at {@code dst[dstOff ..]}. */
    void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff);

    default void quantize(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        quantize(src, srcOff, n, MemorySegment.ofArray(dst), dstOff);
    }

    /** The blocks of all of {@code src}. */
    default byte[] quantize(float[] src) {
        byte[] out = new byte[Math.toIntExact(type().bytesFor(src.length))];
        quantize(src, 0, src.length, out, 0);
        return out;
    }
}
