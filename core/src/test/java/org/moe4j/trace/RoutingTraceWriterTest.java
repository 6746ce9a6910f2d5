package org.moe4j.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.testing.Manifest;

class RoutingTraceWriterTest {
    @TempDir
    Path dir;

    /** Two prompts in slot 0 one after the other, then a batch mixing slots 1 and 2, then a decode step. */
    private void runSequences(Model m, Path trace) {
        try (RoutingSession s = RoutingSession.install(m, List.of(), trace, false, t -> t == 5 ? "a \"quote\"\n\u00e9" : "t" + t)) {
            KVCache cache = m.newCache(3, 32);
            float[] logits = new float[8 * m.vocabSize()];
            m.forward(Batch.of(new int[]{1, 5, 6, 7}, 0, 0, false), cache, logits);
            cache.clear(0);
            m.forward(Batch.of(new int[]{1, 8}, 0, 0, false), cache, logits);
            Batch mixed = new Batch(4).add(1, 0, 1, false).add(1, 0, 2, false).add(9, 1, 1, false).add(5, 1, 2, true);
            m.forward(mixed, cache, logits);
            m.forward(Batch.of(new int[]{10}, 2, 1, true), cache, logits);
            assertThat(s.trace().records()).isEqualTo(11L * s.trace().header().moeLayers().length);
        }
    }

    @Test
    void sequencesAreNumberedAndJsonlUsesTheDocumentedNames() throws Exception {
        Path jsonl = dir.resolve("t.jsonl");
        Path bin = dir.resolve("t.trace");
        try (Model m = ModelLoader.load(Manifest.get("qwen2moe").modelFile(), new LoadOptions(1, org.moe4j.tensor.NumericMode.NATIVE))) {
            runSequences(m, jsonl);
            runSequences(m, bin);
        }
        List<String> lines = Files.readAllLines(jsonl);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.getFirst());
        assertThat(first.has("pos") && first.has("token") && first.has("layer") && first.has("experts") && first.has("weights")).isTrue();
        assertThat(first.get("experts").size()).isEqualTo(4);

        for (Path p : List.of(jsonl, bin)) {
            RoutingTrace t = RoutingTraceReader.read(p);
            int layer = t.header().moeLayers()[0];
            List<TraceRecord> l0 = t.records().stream().filter(r -> r.layer() == layer).toList();
            assertThat(l0).extracting(TraceRecord::seq).containsExactly(0, 0, 0, 0, 1, 1, 2, 3, 2, 3, 2);
            assertThat(l0).extracting(TraceRecord::pos).containsExactly(0, 1, 2, 3, 0, 1, 0, 0, 1, 1, 2);
            assertThat(l0).extracting(TraceRecord::slot).containsExactly(0, 0, 0, 0, 0, 0, 1, 2, 1, 2, 1);
            assertThat(t.text(5)).isEqualTo("a \"quote\"\n\u00e9");
            assertThat(t.text(10)).isEqualTo("t10");
        }
        assertThat(RoutingTraceReader.read(bin).records().size()).isEqualTo(lines.size());
    }
}
