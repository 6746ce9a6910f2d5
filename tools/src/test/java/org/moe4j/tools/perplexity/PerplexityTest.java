package org.moe4j.tools.perplexity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.tensor.NumericMode;
import org.moe4j.testing.Manifest;
import org.moe4j.testing.SharedData;
import org.moe4j.tokenizer.Tokenizer;
import org.moe4j.trace.RoutingSession;

/** Perplexity on conformance models over public-domain text: reproducible, and what a policy changes. */
class PerplexityTest {
    private static final Perplexity.Settings SETTINGS = new Perplexity.Settings(64, 256, 6);

    private static int[] text(Model m) throws Exception {
        String s = Files.readString(SharedData.root().resolve("corpus/kjv.txt")).substring(0, 20_000);
        return Tokenizer.fromGGUF(m.file()).encode(s, false, false);
    }

    private static Perplexity.Result run(Model m, int[] tokens, Perplexity.Settings s, String... policy) {
        try (RoutingSession rs = RoutingSession.install(m, List.of(policy), null, false, null)) {
            return Perplexity.run(m, tokens, 1, s, null);
        }
    }

    @Test
    void reproducibleRunToRunAndUnchangedByTheTrainedTopK() throws Exception {
        for (String name : List.of("qwen3moe", "deepseek2-v3")) {
            try (Model m = ModelLoader.load(Manifest.get(name).modelFile(), new LoadOptions(2, NumericMode.NATIVE))) {
                int[] tokens = text(m);
                Perplexity.Result a = run(m, tokens, SETTINGS);
                Perplexity.Result b = run(m, tokens, SETTINGS);
                assertThat(a.windows()).isEqualTo(6);
                assertThat(a.scoredTokens()).isEqualTo(6 * (64 - 1 - 32));
                assertThat(b.perplexity()).as(name + " run to run").isEqualTo(a.perplexity());
                assertThat(b.windowPerplexity()).containsExactly(a.windowPerplexity());
                assertThat(a.perplexity()).isBetween(1.0, 1e6);

                Perplexity.Result trained = run(m, tokens, SETTINGS, "top-k=" + m.config().expertUsedCount);
                assertThat(trained.perplexity()).isEqualTo(a.perplexity());

                // one window per pass instead of four: the same text in other batches, the same figure up to rounding
                Perplexity.Result single = run(m, tokens, new Perplexity.Settings(64, 64, 6));
                assertThat(single.perplexity()).isCloseTo(a.perplexity(), within(a.perplexity() * 1e-4));

                Perplexity.Result fewer = run(m, tokens, SETTINGS, "top-k=1");
                assertThat(fewer.perplexity()).isNotEqualTo(a.perplexity());
            }
        }
    }

    @Test
    void logProbabilityIsAStableLogSoftmax() {
        float[] row = {1000f, 1000f, 0f, -1000f};
        assertThat(Perplexity.logProbability(row, 0, 4, 0)).isCloseTo(Math.log(0.5), within(1e-12));
        float[] small = {0f, (float) Math.log(3)};
        assertThat(Perplexity.logProbability(small, 0, 2, 1)).isCloseTo(Math.log(0.75), within(1e-7));
    }
}
