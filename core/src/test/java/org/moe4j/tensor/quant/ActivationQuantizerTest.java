package org.moe4j.tensor.quant;

import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.moe4j.tensor.quant.reference.ActivationReference;

/** The vectorised activation encoder against the scalar rules, bit for bit. */
class ActivationQuantizerTest {
    private static final int N = 2048;

    @ParameterizedTest
    @EnumSource(ActivationType.class)
    void matchesReferenceOnManyDistributions(ActivationType type) {
        Random r = new Random(type.ordinal());
        for (int trial = 0; trial < 60; trial++) {
            check(type, input(r, trial), trial);
        }
    }

    /** Rows shaped to hit ties, sign ties of the largest magnitude, zeros and extreme magnitudes. */
    static float[] input(Random r, int trial) {
        float[] x = new float[N];
        switch (trial % 10) {
            case 0 -> { // all zero
            }
            case 1 -> { // half-integers with amax exactly 127: q = x, every element a tie
                for (int i = 0; i < N; i++) x[i] = r.nextInt(254) - 127 + 0.5f;
                for (int b = 0; b < N; b += 32) x[b + r.nextInt(32)] = r.nextBoolean() ? 127 : -127;
            }
            case 2 -> { // +m and -m both present: the first one sets the Q8_K sign
                for (int i = 0; i < N; i++) x[i] = (float) r.nextGaussian();
                for (int b = 0; b < N; b += 256) {
                    int i = r.nextInt(128), j = 128 + r.nextInt(128);
                    float m = 9f;
                    x[b + i] = r.nextBoolean() ? m : -m;
                    x[b + j] = -x[b + i];
                }
            }
            case 3 -> { // random bit patterns over the whole float range (no NaN)
                for (int i = 0; i < N; i++) {
                    float v;
                    do v = Float.intBitsToFloat(r.nextInt()); while (Float.isNaN(v) || Float.isInfinite(v));
                    x[i] = v;
                }
            }
            case 4 -> { // around the half-precision limits: subnormal ties, 2^-14, 65504..65520
                float[] specials = {0x1p-25f, 0x3p-25f, 0x1p-24f, 0x1.8p-24f, 0x1p-14f, 0x1.ffcp-15f, 0x1.ff8p-15f,
                        65504f, 65519.99f, 65520f, 65536f, 1e-30f, Float.MIN_VALUE, 2049f, 2051f, 1.00048828125f};
                for (int i = 0; i < N; i++) {
                    float v = specials[r.nextInt(specials.length)];
                    x[i] = r.nextBoolean() ? v : -v;
                }
            }
            case 5 -> { // bf16 ties: low 16 bits exactly 0x8000
                for (int i = 0; i < N; i++) {
                    x[i] = Float.intBitsToFloat((Float.floatToRawIntBits((float) r.nextGaussian()) & 0xffff0000) | 0x8000);
                }
            }
            case 6 -> { // one block zero, others tiny
                for (int i = 256; i < N; i++) x[i] = (float) (r.nextGaussian() * 1e-30);
            }
            default -> {
                double sigma = Math.pow(10, r.nextInt(8) - 4);
                for (int i = 0; i < N; i++) x[i] = (float) (r.nextGaussian() * sigma);
            }
        }
        return x;
    }

    @Test
    void bf16KeepsNaNQuiet() {
        float[] x = new float[256];
        for (int i = 0; i < x.length; i++) x[i] = Float.intBitsToFloat(0x7f800001 + i * 977 | (i % 2 == 0 ? 0 : 0x80000000));
        check(ActivationType.BF16, x, -1);
    }

    private static void check(ActivationType type, float[] x, int trial) {
        int off = type.blockSize == 1 ? 5 : type.blockSize;
        QuantizedActivations v = new QuantizedActivations(type, x.length + off + 256);
        QuantizedActivations s = new QuantizedActivations(type, x.length + off + 256);
        ActivationQuantizer.quantize(type, x, 0, v, off, x.length);
        ActivationReference.quantize(type, x, 0, s, off, x.length);
        for (int i = 0; i < v.qs.length; i++) {
            if (v.qs[i] != s.qs[i]) fail("%s trial %d: qs[%d] %d vs %d (x=%s)", type, trial, i - off, v.qs[i], s.qs[i], x[i - off]);
        }
        for (int i = 0; i < v.f.length; i++) {
            if (Float.floatToRawIntBits(v.f[i]) != Float.floatToRawIntBits(s.f[i])) {
                fail("%s trial %d: f[%d] %s vs %s (x=%s)", type, trial, i - off, v.f[i], s.f[i], x[i - off]);
            }
        }
        for (int i = 0; i < v.d.length; i++) {
            if (Float.floatToRawIntBits(v.d[i]) != Float.floatToRawIntBits(s.d[i])) fail("%s trial %d: d[%d] %s vs %s", type, trial, i, v.d[i], s.d[i]);
            if (Float.floatToRawIntBits(v.s[i]) != Float.floatToRawIntBits(s.s[i])) fail("%s trial %d: s[%d] %s vs %s", type, trial, i, v.s[i], s.s[i]);
        }
        for (int i = 0; i < v.bsums.length; i++) {
            if (v.bsums[i] != s.bsums[i]) fail("%s trial %d: bsums[%d] %d vs %d", type, trial, i, v.bsums[i], s.bsums[i]);
        }
    }
}
