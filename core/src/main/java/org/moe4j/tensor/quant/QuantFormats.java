package org.moe4j.tensor.quant;

import java.util.EnumMap;
import java.util.Map;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.reference.ReferenceFormats;

/**
 * The {@link QuantFormat} of each supported tensor type: the vector kernels, or the scalar reference
 * formats where the machine's vectors are narrower than 256 bits.
 */
public final class QuantFormats {
    private static final Map<GGMLType, QuantFormat> FORMATS = new EnumMap<>(GGMLType.class);

    static {
        if (Simd.USABLE) {
            register(new F32Format());
            register(new F16Format());
            register(new BF16Format());
            register(new Q8_0Format());
            register(new Q4_0Format());
            register(new Q4_1Format());
            register(new Q5_0Format());
            register(new Q5_1Format());
            register(new IQ4_NLFormat());
            register(new MXFP4Format());
            register(new Q2_KFormat());
            register(new Q3_KFormat());
            register(new Q4_KFormat());
            register(new Q5_KFormat());
            register(new Q6_KFormat());
        } else {
            for (GGMLType t : GGMLType.values()) {
                QuantFormat f = ReferenceFormats.of(t);
                if (f != null) register(f);
            }
        }
    }

    private QuantFormats() {
    }

    private static void register(QuantFormat f) {
        FORMATS.put(f.type(), f);
    }

    public static boolean isSupported(GGMLType type) {
        return FORMATS.containsKey(type);
    }

    /** The format of {@code type}; types without kernels get a format whose every use fails with a clear message. */
    public static QuantFormat of(GGMLType type) {
        QuantFormat f = FORMATS.get(type);
        return f != null ? f : new UnsupportedFormat(type);
    }
}
