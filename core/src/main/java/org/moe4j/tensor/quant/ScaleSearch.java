package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.BlockQuantizer.clamp;
import static org.moe4j.tensor.quant.BlockQuantizer.nearest;

/**
 * The scale searches of the reference's K-quant encoders (without importance matrix), re-derived:
 * each finds, for a group of values, a scale (and for the asymmetric types a min) and the integer
 * levels that (nearly) minimise a weighted error, then the encoders quantize those scales to 4, 6 or
 * 8 bits and re-round the levels against the quantized scales.
 */
final class ScaleSearch {
    private static final float EPS = 1e-15f;

    private ScaleSearch() {
    }

    /**
     * Symmetric levels {@code -nmax .. nmax-1} (stored as {@code L + nmax}) with weights {@code x^2}:
     * start from mapping the largest magnitude to {@code -nmax}, then try 18 nearby inverse scales
     * and keep the one with the best least-squares fit. Returns the scale.
     */
    static float symmetric(int n, int nmax, float[] x, int off, int[] levels) {
        float max = BlockQuantizer.signedMax(x, off, n);
        if (Math.abs(max) < EPS) {
            java.util.Arrays.fill(levels, 0, n, 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[off + i], w = xi * xi;
            int l = clamp(nearest(iscale * xi), -nmax, nmax - 1);
            levels[i] = l + nmax;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[off + i], w = xi * xi;
                int l = clamp(nearest(iscale * xi), -nmax, nmax - 1);
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) levels[i] = nmax + clamp(nearest(iscale * x[off + i]), -nmax, nmax - 1);
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Symmetric levels for Q3_K (weights {@code x^2}): after the initial mapping, move single levels
     * to their locally optimal value while that improves the fit, at most five sweeps. Levels stored
     * as {@code L + nmax}; returns the scale.
     */
    static float coordinateDescent(int n, int nmax, float[] x, int off, int[] levels) {
        float max = BlockQuantizer.signedMax(x, off, n);
        if (Math.abs(max) < EPS) {
            java.util.Arrays.fill(levels, 0, n, 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[off + i], w = xi * xi;
            int l = clamp(nearest(iscale * xi), -nmax, nmax - 1);
            levels[i] = l;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        for (int sweep = 0; sweep < 5; sweep++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[off + i], w = xi * xi;
                float slx = sumlx - w * xi * levels[i];
                if (slx > 0) {
                    float sl2 = suml2 - w * levels[i] * levels[i];
                    int nl = clamp(nearest(xi * sl2 / slx), -nmax, nmax - 1);
                    if (nl != levels[i]) {
                        slx += w * xi * nl;
                        sl2 += w * nl * nl;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            levels[i] = nl;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; i++) levels[i] += nmax;
        return suml2 > 0 ? sumlx / suml2 : 0f;
    }

    /**
     * Asymmetric levels {@code 0 .. nmax} with {@code x ~ scale * L - min} and {@code min >= 0}: try
     * {@code nstep + 1} inverse scales around {@code nmax / (max - min)}, solve the weighted least
     * squares for scale and offset at each, keep the one with the smallest weighted error (absolute
     * or squared). Returns the scale; {@code minOut[0]} receives the min.
     */
    static float withMin(int n, int nmax, float[] x, int off, float[] weights, int[] levels, float[] minOut,
                         float rmin, float rdelta, int nstep, boolean absError) {
        float min = x[off], max = x[off];
        float sumW = weights[0], sumX = sumW * x[off];
        for (int i = 1; i < n; i++) {
            float xi = x[off + i];
            min = Math.min(min, xi);
            max = Math.max(max, xi);
            sumW += weights[i];
            sumX += weights[i] * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            java.util.Arrays.fill(levels, 0, n, 0);
            minOut[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            levels[i] = clamp(nearest(iscale * (x[off + i] - min)), 0, nmax);
            float diff = scale * levels[i] + min - x[off + i];
            bestError += weights[i] * (absError ? Math.abs(diff) : diff * diff);
        }
        int[] aux = new int[n];
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearest(iscale * (x[off + i] - min)), 0, nmax);
                aux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[off + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float err = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[off + i];
                    err += weights[i] * (absError ? Math.abs(diff) : diff * diff);
                }
                if (err < bestError) {
                    System.arraycopy(aux, 0, levels, 0, n);
                    bestError = err;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }
}
