package org.moe4j.tensor.quant;

/**
 * How activations are encoded before a dot product with weights of a given type, mirroring the
 * reference engine: quantized weights meet activations quantized to 8 bits (blocks of 32 with an F16
 * scale for Q8_0, plus a block sum for Q8_1; blocks of 256 with an F32 scale and 16-element sums for
 * Q8_K); half-precision weights meet activations rounded to the same half type.
 */
public enum ActivationType {
    F32(1), F16(1), BF16(1), Q8_0(32), Q8_1(32), Q8_K(256);

    public final int blockSize;

    ActivationType(int blockSize) {
        this.blockSize = blockSize;
    }
}
