package org.moe4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.moe4j.tensor.GGMLType;

/**
 * A token's product never depends on the batch it was computed in: {@link QuantFormat#dotTokens} gives,
 * bit for bit, what {@link QuantFormat#dot} gives for each token alone, for every tile size and
 * remainder. Continuous batching relies on this (a request served with others returns what it returns
 * alone), and so do the batch-versus-sequential conformance goldens.
 */
class DotTokensTest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "IQ4_NL", "MXFP4", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void tiledTokensEqualSingleTokenDots(GGMLType type) {
        QuantFormat f = QuantFormats.of(type);
        Random r = new Random(type.ordinal());
        int n = 512;
        MemorySegment w = RandomBlocks.make(type, n / type.blockSize, r, RandomBlocks.Kind.RANDOM);
        for (int tokens = 1; tokens <= 11; tokens++) {
            QuantizedActivations a = new QuantizedActivations(f.activationType(), tokens * n);
            float[] x = RandomBlocks.gaussian(r, tokens * n, 2);
            for (int t = 0; t < tokens; t++) a.quantize(x, t * n, t * n, n);
            int stride = 3;
            float[] y = new float[1 + tokens * stride];
            f.dotTokens(w, 0, a, n, tokens, y, 1, stride);
            for (int t = 0; t < tokens; t++) {
                float alone = f.dot(w, 0, a, t * n, n);
                assertThat(Float.floatToRawIntBits(y[1 + t * stride]))
                        .as("%s token %d of %d: tiled %s, alone %s", type, t, tokens, y[1 + t * stride], alone)
                        .isEqualTo(Float.floatToRawIntBits(alone));
            }
        }
    }
}
