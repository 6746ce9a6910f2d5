package org.moe4j.tensor;

/**
 * How matrix products with quantized weights treat the activations.
 */
public enum NumericMode {
    /**
     * Activations are encoded the way the reference engine encodes them before its quantized products
     * (8-bit blocks for quantized weights, half precision for F16/BF16 weights) and multiplied with
     * integer arithmetic. The default: it matches the reference's native runs and is the fast path.
     */
    NATIVE,
    /** Weights are dequantized exactly and multiplied with float activations ("dequantize, then float32 math"). */
    FLOAT
}
