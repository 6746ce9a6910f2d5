package org.moe4j.tensor.quant;

import java.util.List;
import org.moe4j.tensor.GGMLType;

/**
 * Encodes float rows into a tensor type's bytes (the inverse of {@link QuantFormat#dequantize}): used to
 * write models (synthesis, quantization, pruning, merging, training export).
 */
public final class RowEncoder {
    private RowEncoder() {
    }

    public static boolean canEncode(GGMLType type) {
        return type == GGMLType.F32 || type == GGMLType.F16 || type == GGMLType.BF16;
    }

    public static List<GGMLType> encodableTypes() {
        return java.util.Arrays.stream(GGMLType.values()).filter(RowEncoder::canEncode).toList();
    }

    /** Writes {@code n} values of {@code row} as {@code type} into {@code dst} at byte {@code off}. */
    public static void encode(GGMLType type, float[] row, int n, byte[] dst, int off) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) putInt(dst, off + 4 * i, Float.floatToRawIntBits(row[i]));
            }
            case F16 -> {
                for (int i = 0; i < n; i++) putShort(dst, off + 2 * i, Float.floatToFloat16(row[i]));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) putShort(dst, off + 2 * i, Half.floatToBf16(row[i]));
            }
            default -> throw new UnsupportedOperationException("no encoder for " + type);
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    private static void putShort(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }
}
