package org.moe4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moe4j.generate.GenerationConfig;
import org.moe4j.generate.SamplerConfig;
import org.moe4j.generate.StopReason;
import org.moe4j.generate.TextGenerator;
import org.moe4j.model.ContextOverflowException;
import org.moe4j.model.LoadOptions;
import org.moe4j.testing.Manifest;

class Moe4jApiTest {

    @Test
    void greedyGenerationThroughTheApiMatchesTheReference() {
        for (String name : List.of("qwen3moe", "llama-moe", "deepseek2-v3", "gpt-oss")) {
            Manifest.Case c = Manifest.get(name);
            JsonNode g = c.json("greedy");
            int[] prompt = ints(g.get("prompt"));
            try (Moe4j llm = Moe4j.load(c.modelFile(), LoadOptions.defaults().withThreads(2), 128)) {
                List<String> pieces = new ArrayList<>();
                TextGenerator.Result r = llm.generate(prompt, GenerationConfig.greedy(24), pieces::add);
                assertThat(r.tokens()).as(name).containsExactly(ints(g.get("generated")));
                assertThat(r.reason()).isEqualTo(StopReason.MAX_TOKENS);
                assertThat(String.join("", pieces)).isEqualTo(r.text());
                assertThat(r.text()).isEqualTo(llm.detokenize(r.tokens()));
                assertThat(r.stats().promptTokens()).isEqualTo(8);
                assertThat(r.stats().generatedTokens()).isEqualTo(24);
            }
        }
    }

    @Test
    void sameSeedSameTextAndStopStringsAreHonoured() {
        Manifest.Case c = Manifest.get("olmoe");
        try (Moe4j llm = Moe4j.load(c.modelFile(), LoadOptions.defaults().withThreads(2), 256)) {
            GenerationConfig cfg = GenerationConfig.defaults().withMaxTokens(40).withSampler(SamplerConfig.defaults(7));
            String a = llm.generate("hello", cfg, null).text();
            String b = llm.generate("hello", cfg, null).text();
            assertThat(a).isEqualTo(b).isNotEmpty();
            String stop = a.substring(a.length() / 2, a.length() / 2 + 2);
            TextGenerator.Result r = llm.generate("hello", cfg.withStop(List.of(stop)), null);
            assertThat(r.reason()).isEqualTo(StopReason.STOP_STRING);
            assertThat(r.text()).isEqualTo(a.substring(0, a.indexOf(stop)));
        }
    }

    @Test
    void promptLongerThanTheContextIsAClearError() {
        Manifest.Case c = Manifest.get("qwen2moe");
        try (Moe4j llm = Moe4j.load(c.modelFile(), LoadOptions.defaults().withThreads(1), 16)) {
            int[] prompt = new int[40];
            assertThatThrownBy(() -> llm.generate(prompt, GenerationConfig.greedy(4), null))
                    .isInstanceOf(ContextOverflowException.class)
                    .hasMessageContaining("40 tokens").hasMessageContaining("context holds 16");
            TextGenerator.Result r = llm.generate(new int[]{1, 2, 3}, GenerationConfig.greedy(100), null);
            assertThat(r.reason()).isEqualTo(StopReason.CONTEXT_FULL);
            assertThat(r.tokens()).hasSize(13);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
