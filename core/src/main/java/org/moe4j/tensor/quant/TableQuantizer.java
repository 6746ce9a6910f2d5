package org.moe4j.tensor.quant;

import org.moe4j.tensor.GGMLType;

/**
 * IQ4_NL and MXFP4: each value takes the nearest table level under one block scale.
 *
 * <p>IQ4_NL searches the scale like the reference (weights x^2): start from mapping the largest
 * magnitude onto the outermost level, then try 15 nearby scales and keep the least-squares best.
 * MXFP4 picks the power-of-two exponent the reference picks (largest magnitude in [4, 8) units, which
 * can clip at 6) and also tries the next one up, keeping whichever has the smaller squared error.
 */
final class TableQuantizer extends BlockQuantizer {
    private static final int NTRY = 7;

    TableQuantizer(GGMLType type) {
        super(type);
    }

    @Override
    void quantizeBlock(float[] x, int off, byte[] out) {
        if (type() == GGMLType.MXFP4) mxfp4(x, off, out);
        else iq4nl(x, off, out);
    }

    /** Index of the level nearest to {@code v} in the sorted {@code levels}; ties go to the upper one. */
    static int nearestLevel(byte[] levels, float v) {
        float v2 = v + v;
        int idx = 0;
        for (int step = levels.length >> 1; step > 0; step >>= 1) {
            int j = idx + step;
            if (v2 >= levels[j - 1] + levels[j]) idx = j;
        }
        return idx;
    }

    private static void iq4nl(float[] x, int off, byte[] out) {
        byte[] values = Iq4Nl.VALUES;
        int[] l = new int[32];
        float max = signedMax(x, off, 32);
        if (Math.abs(max) < 1e-15f) {
            putHalf(out, 0, 0f);
            return;
        }
        float d = -max / values[0];
        float id = 1 / d;
        float sumqx = 0, sumq2 = 0;
        for (int j = 0; j < 32; j++) {
            float xj = x[off + j], w = xj * xj;
            float q = values[nearestLevel(values, id * xj)];
            sumqx += w * q * xj;
            sumq2 += w * q * q;
        }
        d = sumqx / sumq2;
        float best = d * sumqx;
        for (int itry = -NTRY; itry <= NTRY; itry++) {
            id = (itry + values[0]) / max;
            sumqx = sumq2 = 0;
            for (int j = 0; j < 32; j++) {
                float xj = x[off + j], w = xj * xj;
                float q = values[nearestLevel(values, id * xj)];
                sumqx += w * q * xj;
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        putHalf(out, 0, d);
        id = d != 0 ? 1 / d : 0;
        for (int j = 0; j < 32; j++) l[j] = nearestLevel(values, id * x[off + j]);
        LegacyQuantizer.pack(l, out, 2, -1);
    }

    private static void mxfp4(float[] x, int off, byte[] out) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + j]));
        int e = amax > 0 ? clamp((int) Math.floor(Math.log(amax) / Math.log(2)) - 2 + 127, 0, 254) : 0;
        int[] best = mxfp4Codes(x, off, e), up = mxfp4Codes(x, off, e + 1);
        if (mxfp4Error(x, off, up, e + 1) < mxfp4Error(x, off, best, e)) {
            best = up;
            e++;
        }
        out[0] = (byte) e;
        LegacyQuantizer.pack(best, out, 1, -1);
    }

    private static int[] mxfp4Codes(float[] x, int off, int e) {
        float d = Fp4.halfScale(e);
        int[] codes = new int[32];
        for (int j = 0; j < 32; j++) {
            int bi = 0;
            float be = Math.abs(Fp4.DOUBLED[0] * d - x[off + j]);
            for (int i = 1; i < 16; i++) {
                float err = Math.abs(Fp4.DOUBLED[i] * d - x[off + j]);
                if (err < be) {
                    bi = i;
                    be = err;
                }
            }
            codes[j] = bi;
        }
        return codes;
    }

    private static double mxfp4Error(float[] x, int off, int[] codes, int e) {
        float d = Fp4.halfScale(e);
        double s = 0;
        for (int j = 0; j < 32; j++) {
            double diff = Fp4.DOUBLED[codes[j]] * d - x[off + j];
            s += diff * diff;
        }
        return s;
    }
}
