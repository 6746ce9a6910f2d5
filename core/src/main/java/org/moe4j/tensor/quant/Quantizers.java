package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.moe4j.tensor.GGMLType;

/** The {@link Quantizer} of each type moe4j can write, and helpers for whole matrices. */
public final class Quantizers {
    private static final Map<GGMLType, Quantizer> QUANTIZERS = new EnumMap<>(GGMLType.class);

    static {
        for (GGMLType t : new GGMLType[]{GGMLType.F32, GGMLType.F16, GGMLType.BF16}) register(new FloatQuantizer(t));
        for (GGMLType t : new GGMLType[]{GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1}) {
            register(new LegacyQuantizer(t));
        }
        register(new TableQuantizer(GGMLType.IQ4_NL));
        register(new TableQuantizer(GGMLType.MXFP4));
        for (GGMLType t : new GGMLType[]{GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K}) {
            register(new KQuantizer(t));
        }
    }

    private Quantizers() {
    }

    private static void register(Quantizer q) {
        QUANTIZERS.put(q.type(), q);
    }

    public static boolean isSupported(GGMLType type) {
        return QUANTIZERS.containsKey(type);
    }

    public static Quantizer of(GGMLType type) {
        Quantizer q = QUANTIZERS.get(type);
        if (q == null) throw new UnsupportedOperationException("no quantizer for " + type + "; supported: " + QUANTIZERS.keySet());
        return q;
    }

    /**
     * Quantizes a row-major {@code rows x cols} matrix ({@code src[srcOff ..]}), each row independently,
     * row {@code r} to {@code dst[dstOff + r * type.bytesFor(cols) ..]}. With {@code parallel} the rows are
     * spread over the common fork-join pool.
     */
    public static void quantizeRows(GGMLType type, float[] src, int srcOff, int rows, int cols, MemorySegment dst,
                                    long dstOff, boolean parallel) {
        Quantizer q = of(type);
        long rowBytes = type.bytesFor(cols);
        if (dst.byteSize() < dstOff + rowBytes * rows) {
            throw new IllegalArgumentException("destination too small for " + rows + " rows of " + rowBytes + " bytes");
        }
        IntStream range = IntStream.range(0, rows);
        (parallel ? range.parallel() : range).forEach(r -> q.quantize(src, srcOff + r * cols, cols, dst, dstOff + r * rowBytes));
    }

    /** The blocks of a row-major {@code rows x cols} matrix, rows quantized independently (in parallel). */
    public static byte[] quantizeRows(GGMLType type, float[] src, int rows, int cols) {
        byte[] out = new byte[Math.toIntExact(type.bytesFor((long) rows * cols))];
        quantizeRows(type, src, 0, rows, cols, MemorySegment.ofArray(out), 0, true);
        return out;
    }
}
