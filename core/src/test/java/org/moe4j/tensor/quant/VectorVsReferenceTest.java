package org.moe4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.reference.ActivationReference;
import org.moe4j.tensor.quant.reference.ReferenceFormats;

/**
 * The vector kernels ({@link QuantFormats}) against the scalar reference formats on random blocks and
 * edge cases: dequantization bit for bit, both dot products within 1e-5 of the sum of |terms|.
 */
class VectorVsReferenceTest {
    static final GGMLType[] TYPES = {GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0,
            GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.IQ4_NL, GGMLType.MXFP4, GGMLType.Q2_K,
            GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K};

    static Stream<Arguments> cases() {
        return Stream.of(TYPES).flatMap(t -> Stream.of(RandomBlocks.Kind.values()).map(k -> Arguments.of(t, k)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void vectorMatchesReference(GGMLType type, RandomBlocks.Kind kind) {
        QuantFormat vec = QuantFormats.of(type), ref = ReferenceFormats.of(type);
        assertThat(vec.activationType()).isEqualTo(ref.activationType());
        Random r = new Random(type.ordinal() * 31L + kind.ordinal());
        int n = type.blockSize == 1 ? 1024 + 48 : 1024;
        for (int trial = 0; trial < 8; trial++) {
            int blocks = n / type.blockSize;
            MemorySegment w = RandomBlocks.make(type, blocks + 1, r, kind);
            long off = type.blockBytes; // not at the segment start: catches offset mistakes

            float[] dv = new float[n + 3], dr = new float[n + 3];
            vec.dequantize(w, off, dv, 3, n);
            ref.dequantize(w, off, dr, 3, n);
            for (int i = 0; i < dv.length; i++) {
                if (Float.floatToRawIntBits(dv[i]) != Float.floatToRawIntBits(dr[i])) {
                    fail("%s %s dequantize differs at %d: vector %s reference %s", type, kind, i - 3, dv[i], dr[i]);
                }
            }

            float[] x = RandomBlocks.gaussian(r, n + 5, 1 + 3 * r.nextDouble());
            double bound = 0;
            for (int i = 0; i < n; i++) bound += Math.abs((double) dr[3 + i] * x[5 + i]);
            float fv = vec.dot(w, off, x, 5, n), fr = ref.dot(w, off, x, 5, n);
            assertThat((double) Math.abs(fv - fr)).as("%s %s float dot: %s vs %s", type, kind, fv, fr)
                    .isLessThanOrEqualTo(1e-5 * bound + 1e-30);

            ActivationType at = vec.activationType();
            int eOff = at.blockSize == 1 ? 7 : at.blockSize;
            QuantizedActivations a = new QuantizedActivations(at, n + eOff);
            ActivationReference.quantize(at, x, 0, a, eOff, n);
            float iv = vec.dot(w, off, a, eOff, n), ir = ref.dot(w, off, a, eOff, n);
            double ibound = intDotMagnitude(type, w, off, dr, 3, a, eOff, n);
            assertThat((double) Math.abs(iv - ir)).as("%s %s integer dot: %s vs %s", type, kind, iv, ir)
                    .isLessThanOrEqualTo(1e-5 * ibound + 1e-30);
        }
    }

    /** Sum of the magnitudes of everything the integer dot adds: |w*a| plus, for the types with mins, |min*a|. */
    static double intDotMagnitude(GGMLType t, MemorySegment w, long off, float[] deq, int dOff, QuantizedActivations a, int e, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double av = Math.abs(activation(a, e + i));
            s += av * (Math.abs(deq[dOff + i]) + Math.abs(minOf(t, w, off, i)));
        }
        return s;
    }

    static double activation(QuantizedActivations a, int i) {
        return switch (a.type()) {
            case F32, F16, BF16 -> a.f[i];
            case Q8_0, Q8_1 -> a.qs[i] * a.d[i >> 5];
            case Q8_K -> a.qs[i] * a.d[i >> 8];
        };
    }

    static double minOf(GGMLType t, MemorySegment w, long off, int i) {
        long blk = off + (long) (i / t.blockSize) * t.blockBytes;
        int j = i % t.blockSize;
        return switch (t) {
            case Q4_1, Q5_1 -> Blocks.f16(w, blk + 2);
            case Q2_K -> Blocks.f16(w, blk + 82) * (Blocks.u8(w, blk + j / 16) >> 4);
            case Q4_K, Q5_K -> Blocks.f16(w, blk + 2) * KQuantScales.minK4(w, blk + 4, j / 32);
            default -> 0;
        };
    }
}
