package org.moe4j.tensor.quant;

import java.util.EnumMap;
import java.util.Map;
import org.moe4j.tensor.GGMLType;

/** The {@link QuantFormat} of each supported tensor type. */
public final class QuantFormats {
    private static final Map<GGMLType, QuantFormat> FORMATS = new EnumMap<>(GGMLType.class);

    static {
        register(new F32Format());
        register(new F16Format());
        register(new BF16Format());
        register(new Q8_0Format());
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
