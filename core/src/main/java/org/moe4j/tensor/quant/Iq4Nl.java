package org.moe4j.tensor.quant;

/** IQ4_NL: 4-bit indexes into a fixed non-linear table of int8 levels, one F16 scale per block of 32. */
public final class Iq4Nl {
    /** The reference's levels (denser near zero, where weights concentrate). */
    public static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private Iq4Nl() {
    }
}
