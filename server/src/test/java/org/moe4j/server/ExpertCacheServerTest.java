package org.moe4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.moe4j.generate.BatchEngine;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.moe.cache.ExpertCacheConfig;
import org.moe4j.moe.cache.ExpertLayout;
import org.moe4j.moe.cache.ExpertReader;
import org.moe4j.testing.Manifest;

/** Requests batched into one forward pass share one expert cache; /metrics shows it. */
class ExpertCacheServerTest {
    private static final String MODEL = "qwen3moe";
    private static final String LONG = "{\"prompt\":\"In the beginning\",\"max_tokens\":120,\"temperature\":0.9,\"seed\":3}";
    private static final String SHORT = "{\"prompt\":\"Once upon a time there was\",\"max_tokens\":16,\"temperature\":0}";

    /** Records whether a layer ever routed tokens of two sequences at once, and the most experts it needed then. */
    private static final class SharedPasses implements RoutingObserver {
        volatile int sharedLayers;
        volatile int mostExperts;

        @Override
        public void onRouting(RoutingDecision decision) {
        }

        @Override
        public void onLayerRouted(int layer, RoutingDecision[] decisions, int n) {
            BitSet slots = new BitSet();
            BitSet experts = new BitSet();
            for (int t = 0; t < n; t++) {
                slots.set(decisions[t].slot());
                for (int j = 0; j < decisions[t].count(); j++) experts.set(decisions[t].expert(j));
            }
            if (slots.cardinality() > 1) {
                sharedLayers++;
                mostExperts = Math.max(mostExperts, experts.cardinality());
            }
        }
    }

    @Test
    void twoConcurrentRequestsShareOneSmallCacheAndGetTheirAnswersAlone() throws Exception {
        BatchEngine.Settings engine = new BatchEngine.Settings(4, 512, 64, 8);
        String longAlone;
        String shortAlone;
        try (TestServer plain = TestServer.start(MODEL, engine, Moe4jServer.Settings.local(0))) {
            longAlone = text(plain.post("/v1/completions", LONG).body());
            shortAlone = text(plain.post("/v1/completions", SHORT).body());
            assertThat(plain.get("/metrics").body()).doesNotContain("moe4j_expert_cache");
        }

        // one expert more than a token selects in a layer: a step of two sequences needs several rounds
        Path file = Manifest.get(MODEL).modelFile();
        int capacity;
        long budget;
        try (Model m = ModelLoader.load(file, LoadOptions.defaults().withThreads(1))) {
            ExpertLayout layout = ExpertLayout.of(m, ExpertReader.alignment(file));
            capacity = layout.maxTopK() + 1;
            budget = layout.slotBytes() * capacity;
        }
        try (TestServer s = TestServer.start(MODEL, engine, Moe4jServer.Settings.local(0), ExpertCacheConfig.of(budget))) {
            assertThat(ExpertCache.attachedTo(s.llm.model())).as("found under the engine's counting store").containsSame(s.cache);
            SharedPasses seen = new SharedPasses();
            s.llm.model().routing().addObserver(seen);
            CompletableFuture<String> longer = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.post("/v1/completions", LONG).body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (s.engine.stats().generatedTokens() < 2 && !longer.isDone()) Thread.sleep(2);
            String shorter = s.post("/v1/completions", SHORT).body();
            assertThat(text(shorter)).isEqualTo(shortAlone);
            assertThat(text(longer.get())).isEqualTo(longAlone);

            assertThat(seen.sharedLayers).as("forward passes that held both requests").isPositive();
            assertThat(seen.mostExperts).as("experts of a shared layer beyond what the cache holds at once")
                    .isGreaterThan(s.llm.model().expertStore().maxAcquired());

            assertThat(s.cache.stats().loads()).as("experts evicted and read again").isGreaterThan(capacity);

            String metrics = s.get("/metrics").body();
            double hitRate = s.cache.stats().hitRate();
            assertThat(hitRate).isBetween(0.0, 1.0);
            assertThat(metrics).contains("# TYPE moe4j_expert_cache_hit_ratio gauge")
                    .contains("# TYPE moe4j_expert_cache_read_bytes_total counter")
                    .contains("# TYPE moe4j_expert_cache_stall_seconds_total counter")
                    .contains("moe4j_expert_cache_capacity_experts " + capacity)
                    .contains("moe4j_expert_cache_read_bytes_total " + s.cache.stats().bytesRead());
            double shown = Double.parseDouble(metrics.lines().filter(l -> l.startsWith("moe4j_expert_cache_hit_ratio ")).findFirst()
                    .orElseThrow().substring("moe4j_expert_cache_hit_ratio ".length()));
            assertThat(shown).isCloseTo(hitRate, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    private static String text(String completion) throws Exception {
        return TestServer.json(completion).get("choices").get(0).get("text").asText();
    }
}
