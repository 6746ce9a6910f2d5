package org.moe4j.tensor.quant;

import org.moe4j.tensor.GGMLType;

/**
 * Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1 the way the reference writes them: symmetric types scale by the
 * signed element of largest magnitude (mapped to the most negative level, which has one step more
 * room), the types with a min span [min, max] evenly.
 */
final class LegacyQuantizer extends BlockQuantizer {
    LegacyQuantizer(GGMLType type) {
        super(type);
    }

    @Override
    void quantizeBlock(float[] x, int off, byte[] out) {
        switch (type()) {
            case Q8_0 -> q8(x, off, out);
            case Q4_0 -> symmetric(x, off, out, 4);
            case Q5_0 -> symmetric(x, off, out, 5);
            case Q4_1 -> withMin(x, off, out, 4);
            case Q5_1 -> withMin(x, off, out, 5);
            default -> throw new AssertionError();
        }
    }

    private static void q8(float[] x, int off, byte[] out) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + j]));
        float d = amax / 127;
        float id = d != 0 ? 1 / d : 0;
        putHalf(out, 0, d);
        for (int j = 0; j < 32; j++) out[2 + j] = (byte) roundAway(x[off + j] * id);
    }

    private static void symmetric(float[] x, int off, byte[] out, int bits) {
        int half = 1 << (bits - 1), top = (1 << bits) - 1;
        float d = signedMax(x, off, 32) / -half;
        float id = d != 0 ? 1 / d : 0;
        putHalf(out, 0, d);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = Math.min(top, (int) (x[off + j] * id + (half + 0.5f)));
        pack(q, out, bits == 5 ? 6 : 2, bits == 5 ? 2 : -1);
    }

    private static void withMin(float[] x, int off, byte[] out, int bits) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[off + j]);
            max = Math.max(max, x[off + j]);
        }
        int top = (1 << bits) - 1;
        float d = (max - min) / top;
        float id = d != 0 ? 1 / d : 0;
        putHalf(out, 0, d);
        putHalf(out, 2, min);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = clamp((int) ((x[off + j] - min) * id + 0.5f), 0, top);
        pack(q, out, bits == 5 ? 8 : 4, bits == 5 ? 4 : -1);
    }

    /** Nibbles (element j low, j + 16 high) at {@code qsOff}; fifth bits as a little-endian u32 at {@code qhOff}. */
    static void pack(int[] q, byte[] out, int qsOff, int qhOff) {
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            out[qsOff + j] = (byte) ((q[j] & 0xF) | ((q[j + 16] & 0xF) << 4));
            qh |= ((q[j] >> 4) & 1) << j;
            qh |= ((q[j + 16] >> 4) & 1) << (j + 16);
        }
        if (qhOff >= 0) {
            putShort(out, qhOff, qh);
            putShort(out, qhOff + 2, qh >>> 16);
        }
    }
}
