package org.moe4j.tools.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.moe4j.model.Batch;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.RoutingObserver;
import org.moe4j.tensor.GGMLType;

class ModelSynthesizerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-olmoe", "tiny-qwen3moe", "tiny-mixtral", "tiny-qwen2moe"})
    void synthesizedModelsLoadAndAgreeBetweenBatchAndSequential(String preset) {
        Path f = dir.resolve(preset + ".gguf");
        new ModelSynthesizer(Preset.get(preset), GGMLType.F16, 7).write(f, false);
        try (Model m = ModelLoader.load(f, LoadOptions.defaults().withThreads(2))) {
            int[] ids = {5, 77, 300, 1000, 12, 2046, 9, 640, 31, 800, 1500, 2};
            int v = m.vocabSize();
            float[] batch = new float[ids.length * v];
            m.forward(Batch.of(ids, 0, 0, true), m.newCache(1, 64), batch);
            float[] seq = new float[ids.length * v];
            var cache = m.newCache(1, 64);
            float[] one = new float[v];
            for (int t = 0; t < ids.length; t++) {
                m.forward(Batch.of(new int[]{ids[t]}, t, 0, true), cache, one);
                System.arraycopy(one, 0, seq, t * v, v);
            }
            double maxAbs = 0, maxDiff = 0;
            for (int i = 0; i < batch.length; i++) {
                assertThat(batch[i]).isFinite();
                maxAbs = Math.max(maxAbs, Math.abs(batch[i]));
                maxDiff = Math.max(maxDiff, Math.abs(batch[i] - seq[i]));
            }
            assertThat(maxAbs).as("logits are of order one, not degenerate").isBetween(0.5, 100.0);
            assertThat(maxDiff).as("batch vs sequential").isLessThan(1e-3 * Math.max(1, maxAbs));

            // routing is spread over experts, not collapsed onto a few
            int[] load = new int[Math.max(1, m.config().expertCount)];
            RoutingObserver count = d -> { for (int j = 0; j < d.count(); j++) load[d.expert(j)]++; };
            m.routing().addObserver(count);
            int[] many = new int[128];
            for (int i = 0; i < many.length; i++) many[i] = (i * 131 + 7) % v;
            m.forward(Batch.of(many, 0, 0, false), m.newCache(1, 128), new float[v]);
            m.routing().removeObserver(count);
            int used = 0;
            for (int c : load) if (c > 0) used++;
            assertThat(used).as("experts used").isGreaterThanOrEqualTo(load.length * 3 / 4);
        }
    }
}
