package org.moe4j.tensor.quant.reference;

import java.util.EnumMap;
import java.util.Map;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.QuantFormat;

/** The scalar reference {@link QuantFormat} of each type moe4j computes with. */
public final class ReferenceFormats {
    private static final Map<GGMLType, QuantFormat> FORMATS = new EnumMap<>(GGMLType.class);

    static {
        for (GGMLType t : new GGMLType[]{GGMLType.F32, GGMLType.F16, GGMLType.BF16}) FORMATS.put(t, new FloatReference(t));
        for (GGMLType t : new GGMLType[]{GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q8_0,
                GGMLType.IQ4_NL, GGMLType.MXFP4}) {
            FORMATS.put(t, new LegacyReference(t));
        }
        FORMATS.put(GGMLType.Q2_K, new Q2_KReference());
        FORMATS.put(GGMLType.Q3_K, new Q3_KReference());
        FORMATS.put(GGMLType.Q4_K, new Q4_KReference());
        FORMATS.put(GGMLType.Q5_K, new Q5_KReference());
        FORMATS.put(GGMLType.Q6_K, new Q6_KReference());
    }

    private ReferenceFormats() {
    }

    /** The reference format of {@code type}, or null when moe4j has none. */
    public static QuantFormat of(GGMLType type) {
        return FORMATS.get(type);
    }
}
