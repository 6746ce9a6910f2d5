package org.moe4j.tensor.quant;

/**
 * MXFP4 (OCP microscaling FP4): blocks of 32 E2M1 values sharing one E8M0 exponent byte. As in the
 * reference, the E2M1 magnitudes {0, .5, 1, 1.5, 2, 3, 4, 6} are kept doubled as small integers so the
 * integer dot product works on int8, and the block scale is halved to compensate.
 */
public final class Fp4 {
    /** E2M1 code (bit 3 = sign) to twice its value. */
    public static final byte[] DOUBLED = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    private Fp4() {
    }

    /** Half of the E8M0 scale {@code 2^(e-127)}, i.e. {@code 2^(e-128)}; exact for every byte (subnormal below e=2). */
    public static float halfScale(int e) {
        return Math.scalb(1f, (e & 0xff) - 128);
    }
}
