package org.moe4j.tensor.quant;

import org.moe4j.tensor.GGMLType;

/**
 * The K-quant encoders (Q2_K .. Q6_K) as the reference's quantizer runs them without an importance
 * matrix: a scale search per sub-block ({@link ScaleSearch}), the sub-block scales (and mins) quantized
 * against one super-block scale, then every level re-rounded against the scales actually stored.
 */
final class KQuantizer extends BlockQuantizer {
    KQuantizer(GGMLType type) {
        super(type);
    }

    @Override
    void quantizeBlock(float[] x, int off, byte[] out) {
        switch (type()) {
            case Q2_K -> q2(x, off, out);
            case Q3_K -> q3(x, off, out);
            case Q4_K -> q45(x, off, out, 4);
            case Q5_K -> q45(x, off, out, 5);
            case Q6_K -> q6(x, off, out);
            default -> throw new AssertionError();
        }
    }

    private static void q2(float[] x, int off, byte[] out) {
        int[] levels = new int[256], sub = new int[16];
        float[] scales = new float[16], mins = new float[16], w = new float[16], m = new float[1];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 16; j++) {
            for (int l = 0; l < 16; l++) w[l] = Math.abs(x[off + 16 * j + l]);
            scales[j] = ScaleSearch.withMin(16, 3, x, off + 16 * j, w, sub, m, -0.5f, 0.1f, 15, true);
            mins[j] = m[0];
            System.arraycopy(sub, 0, levels, 16 * j, 16);
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        int[] sc = new int[16], mn = new int[16];
        float d = 0, dmin = 0;
        if (maxScale > 0) {
            float iscale = 15 / maxScale;
            for (int j = 0; j < 16; j++) sc[j] = clamp(nearest(iscale * scales[j]), 0, 15);
            d = maxScale / 15;
        }
        if (maxMin > 0) {
            float iscale = 15 / maxMin;
            for (int j = 0; j < 16; j++) mn[j] = clamp(nearest(iscale * mins[j]), 0, 15);
            dmin = maxMin / 15;
        }
        d = putHalf(out, 80, d);
        dmin = putHalf(out, 82, dmin);
        for (int j = 0; j < 16; j++) {
            out[j] = (byte) (sc[j] | (mn[j] << 4));
            float dq = d * sc[j];
            if (dq == 0) continue;
            float dm = dmin * mn[j];
            for (int l = 0; l < 16; l++) levels[16 * j + l] = clamp(nearest((x[off + 16 * j + l] + dm) / dq), 0, 3);
        }
        pack2(levels, out, 16);
    }

    /** Two-bit fields: weight {@code 128n + 32j + l} in bits {@code 2j} of byte {@code 32n + l}. */
    private static void pack2(int[] levels, byte[] out, int qsOff) {
        for (int n = 0; n < 2; n++) {
            for (int l = 0; l < 32; l++) {
                int b = 128 * n + l;
                out[qsOff + 32 * n + l] = (byte) ((levels[b] & 3) | (levels[b + 32] & 3) << 2
                        | (levels[b + 64] & 3) << 4 | (levels[b + 96] & 3) << 6);
            }
        }
    }

    private static void q3(float[] x, int off, byte[] out) {
        int[] levels = new int[256], sub = new int[16];
        float[] scales = new float[16];
        float amax = 0, maxScale = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = ScaleSearch.coordinateDescent(16, 4, x, off + 16 * j, sub);
            System.arraycopy(sub, 0, levels, 16 * j, 16);
            if (Math.abs(scales[j]) > amax) {
                amax = Math.abs(scales[j]);
                maxScale = scales[j];
            }
        }
        int[] biased = new int[16];
        float d = 0;
        if (maxScale != 0) {
            float iscale = -32 / maxScale;
            for (int j = 0; j < 16; j++) biased[j] = clamp(nearest(iscale * scales[j]), -32, 31) + 32;
            d = 1 / iscale;
            KQuantScales.packQ3(biased, out, 96);
        }
        d = putHalf(out, 108, d);
        for (int j = 0; j < 16; j++) {
            float dq = d * (biased[j] - 32);
            if (maxScale == 0 || dq == 0) continue;
            for (int l = 0; l < 16; l++) levels[16 * j + l] = clamp(nearest(x[off + 16 * j + l] / dq), -4, 3) + 4;
        }
        for (int j = 0; j < 256; j++) {
            if (levels[j] > 3) {
                out[j & 31] |= (byte) (1 << (j >> 5));
                levels[j] -= 4;
            }
        }
        pack2(levels, out, 32);
    }

    private static void q45(float[] x, int off, byte[] out, int bits) {
        int nmax = (1 << bits) - 1;
        int[] levels = new int[256], sub = new int[32];
        float[] scales = new float[8], mins = new float[8], w = new float[32], m = new float[1];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += x[off + 32 * j + l] * x[off + 32 * j + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) w[l] = avX + Math.abs(x[off + 32 * j + l]);
            scales[j] = bits == 4
                    ? ScaleSearch.withMin(32, nmax, x, off + 32 * j, w, sub, m, -1f, 0.1f, 20, false)
                    : ScaleSearch.withMin(32, nmax, x, off + 32 * j, w, sub, m, -0.5f, 0.1f, 15, false);
            mins[j] = m[0];
            System.arraycopy(sub, 0, levels, 32 * j, 32);
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float invScale = maxScale > 0 ? 63 / maxScale : 0, invMin = maxMin > 0 ? 63 / maxMin : 0;
        int[] ls = new int[8], lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = clamp(nearest(invScale * scales[j]), 0, 63);
            lm[j] = clamp(nearest(invMin * mins[j]), 0, 63);
        }
        KQuantScales.packK4(ls, lm, out, 4);
        float d = putHalf(out, 0, maxScale / 63), dmin = putHalf(out, 2, maxMin / 63);
        for (int j = 0; j < 8; j++) {
            float dq = d * ls[j];
            if (dq == 0) continue;
            float dm = dmin * lm[j];
            for (int l = 0; l < 32; l++) levels[32 * j + l] = clamp(nearest((x[off + 32 * j + l] + dm) / dq), 0, nmax);
        }
        int qs = bits == 4 ? 16 : 48;
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                int lo = levels[64 * g + l], hi = levels[64 * g + 32 + l];
                out[qs + 32 * g + l] = (byte) ((lo & 0xF) | (hi & 0xF) << 4);
                if (bits == 5) out[16 + l] |= (byte) ((lo >> 4) << (2 * g) | (hi >> 4) << (2 * g + 1));
            }
        }
    }

    private static void q6(float[] x, int off, byte[] out) {
        int[] levels = new int[256], sub = new int[16];
        float[] scales = new float[16];
        float amax = 0, maxScale = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = ScaleSearch.symmetric(16, 32, x, off + 16 * j, sub);
            System.arraycopy(sub, 0, levels, 16 * j, 16);
            if (Math.abs(scales[j]) > amax) {
                amax = Math.abs(scales[j]);
                maxScale = scales[j];
            }
        }
        if (amax < 1e-15f) return; // an all-zero block: zero bytes decode to zeros (d = 0)
        float iscale = -128 / maxScale;
        float d = putHalf(out, 208, 1 / iscale);
        for (int j = 0; j < 16; j++) {
            int sc = clamp(nearest(iscale * scales[j]), -128, 127);
            out[192 + j] = (byte) sc;
            float dq = d * sc;
            if (dq == 0) continue;
            for (int l = 0; l < 16; l++) levels[16 * j + l] = clamp(nearest(x[off + 16 * j + l] / dq), -32, 31) + 32;
        }
        for (int n = 0; n < 2; n++) {
            for (int l = 0; l < 32; l++) {
                int b = 128 * n + l;
                int q1 = levels[b], q2 = levels[b + 32], q3 = levels[b + 64], q4 = levels[b + 96];
                out[64 * n + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                out[64 * n + 32 + l] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                out[128 + 32 * n + l] = (byte) ((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }
}
