package org.moe4j.tensor.quant.reference;

import java.util.Arrays;
import org.moe4j.tensor.quant.ActivationType;
import org.moe4j.tensor.quant.Half;
import org.moe4j.tensor.quant.QuantizedActivations;

/**
 * Scalar activation encoding, written as the reference engine's rules read: Q8_0/Q8_1 blocks of 32 with
 * {@code d = amax/127} (F16-rounded), {@code q = rint(x*127/amax)}, Q8_1 adding {@code d*sum(q)}
 * (F16-rounded); Q8_K blocks of 256 with {@code iscale = -127/max} ({@code max} the signed element of
 * largest magnitude, the first one on ties), {@code q = min(127, rint(iscale*x))}, {@code d = 1/iscale},
 * sums of 16; F16/BF16 round to nearest even. The vectorised encoder must match this bit for bit.
 */
public final class ActivationReference {
    private ActivationReference() {
    }

    public static void quantize(ActivationType type, float[] x, int xOff, QuantizedActivations a, int off, int n) {
        if (n % type.blockSize != 0 || off % type.blockSize != 0) {
            throw new IllegalArgumentException(type + ": " + n + " elements at " + off + " do not fill whole blocks");
        }
        switch (type) {
            case F32 -> System.arraycopy(x, xOff, a.f, off, n);
            case F16 -> {
                for (int i = 0; i < n; i++) a.f[off + i] = Float.float16ToFloat(Float.floatToFloat16(x[xOff + i]));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) a.f[off + i] = Half.bf16ToFloat(Half.floatToBf16(x[xOff + i]));
            }
            case Q8_0, Q8_1 -> quantizeQ8(type == ActivationType.Q8_1, x, xOff, a, off, n);
            case Q8_K -> quantizeQ8K(x, xOff, a, off, n);
        }
    }

    private static void quantizeQ8(boolean withSum, float[] x, int xOff, QuantizedActivations a, int off, int n) {
        for (int b = 0; b < n; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xOff + b + j]));
            float d = amax / 127f;
            float id = amax != 0 ? 127f / amax : 0f;
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                int q = (int) Math.rint(x[xOff + b + j] * id);
                a.qs[off + b + j] = (byte) q;
                a.wide[off + b + j] = (short) q;
                a.qf[off + b + j] = q;
                sum += q;
            }
            int blk = (off + b) >> 5;
            a.d[blk] = Half.roundToHalf(d);
            if (withSum) a.s[blk] = Half.roundToHalf(d * sum);
        }
    }

    private static void quantizeQ8K(float[] x, int xOff, QuantizedActivations a, int off, int n) {
        for (int b = 0; b < n; b += 256) {
            float amax = 0, max = 0;
            for (int j = 0; j < 256; j++) {
                float v = x[xOff + b + j];
                float ax = Math.abs(v);
                if (ax > amax) {
                    amax = ax;
                    max = v;
                }
            }
            int blk = (off + b) >> 8;
            if (amax == 0) {
                a.d[blk] = 0;
                Arrays.fill(a.qs, off + b, off + b + 256, (byte) 0);
                Arrays.fill(a.wide, off + b, off + b + 256, (short) 0);
                Arrays.fill(a.qf, off + b, off + b + 256, 0f);
                Arrays.fill(a.bsums, (off + b) >> 4, ((off + b) >> 4) + 16, (short) 0);
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < 256; j++) {
                int v = (int) Math.rint(iscale * x[xOff + b + j]);
                a.qs[off + b + j] = (byte) Math.min(127, v);
                a.wide[off + b + j] = a.qs[off + b + j];
                a.qf[off + b + j] = a.qs[off + b + j];
            }
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int j = 0; j < 16; j++) sum += a.qs[off + b + g * 16 + j];
                a.bsums[((off + b) >> 4) + g] = (short) sum;
            }
            a.d[blk] = 1 / iscale;
        }
    }
}
