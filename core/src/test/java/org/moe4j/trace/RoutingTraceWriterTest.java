package org.moe4j.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.ArrayList;
import java.util.Arrays;
import org.moe4j.model.Batch;
import org.moe4j.model.ForwardListener;
import org.moe4j.moe.MoeFeedForward;
import org.moe4j.moe.Router;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.tensor.MatMul;
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

    /** Every block's normed feed-forward input, pass after pass. */
    private static final class NormedInputs implements ForwardListener {
        final List<float[][]> passes = new ArrayList<>();
        final int blocks;

        NormedInputs(int blocks) {
            this.blocks = blocks;
        }

        @Override
        public void beforeFeedForward(int layer, float[] normed, int n, int width) {
            if (layer == 0) passes.add(new float[blocks][]);
            passes.getLast()[layer] = Arrays.copyOf(normed, n * width);
        }
    }

    @Test
    void predictionsAreTheNextRoutersChoiceOnTheBlockBefore() {
        Path bin = dir.resolve("p.trace");
        Path jsonl = dir.resolve("p.jsonl");
        try (Model m = ModelLoader.load(Manifest.get("qwen2moe").modelFile(), new LoadOptions(1, org.moe4j.tensor.NumericMode.NATIVE))) {
            int[] moe = org.moe4j.trace.TraceHeader.of(m, false).moeLayers();
            assertThat(moe.length).as("the test needs two MoE blocks").isGreaterThanOrEqualTo(2);
            NormedInputs inputs = new NormedInputs(m.blockCount());
            m.addListener(inputs);
            int[] prompt = {1, 5, 6, 7, 9};
            for (Path p : List.of(bin, jsonl)) {
                try (RoutingSession s = RoutingSession.install(m, List.of(), p, false, true, null)) {
                    KVCache cache = m.newCache(1, 16);
                    float[] logits = new float[prompt.length * m.vocabSize()];
                    m.forward(Batch.of(prompt, 0, 0, true), cache, logits);
                    m.forward(Batch.of(new int[]{11}, prompt.length, 0, true), cache, logits);
                }
            }
            m.removeListener(inputs);
            // the passes of the binary run: a prompt of five tokens, then one decode step
            List<float[][]> passes = inputs.passes.subList(0, 2);
            MatMul mm = new MatMul(m.pool(), m.numericMode());
            RoutingTrace fromBin = RoutingTraceReader.read(bin);
            RoutingTrace fromJsonl = RoutingTraceReader.read(jsonl);
            assertThat(fromBin.header().predictions()).isTrue();
            assertThat(fromJsonl.header().predictions()).isTrue();
            assertThat(fromBin.records()).hasSize(6 * moe.length).hasSameSizeAs(fromJsonl.records());
            int checked = 0;
            for (int i = 0; i < fromBin.records().size(); i++) {
                TraceRecord r = fromBin.records().get(i);
                assertThat(fromJsonl.records().get(i).predicted()).isEqualTo(r.predicted());
                if (r.layer() == moe[0] && moe[0] == 0) {
                    assertThat(r.predicted()).as("no block precedes block 0").isNull();
                    continue;
                }
                Router router = ((MoeFeedForward) m.block(r.layer()).feedForward()).router();
                int e = router.config().experts();
                float[][] pass = passes.get(r.pos() < prompt.length ? 0 : 1);
                int t = r.pos() < prompt.length ? r.pos() : 0;
                float[] z = new float[e];
                mm.apply(router.weight(), pass[r.layer() - 1], t * m.width(), 1, z, 0);
                RoutingDecision d = router.newDecision();
                router.route(z, 0, d);
                int[] expected = d.expertsCopy();
                Arrays.sort(expected);
                assertThat(r.predicted()).as("block %d pos %d", r.layer(), r.pos()).containsExactly(expected);
                checked++;
            }
            assertThat(checked).isGreaterThanOrEqualTo(6 * (moe.length - 1));
        }
    }

    @Test
    void aTraceWithoutPredictionsStaysVersionOne() throws Exception {
        Path bin = dir.resolve("v1.trace");
        try (Model m = ModelLoader.load(Manifest.get("qwen2moe").modelFile(), new LoadOptions(1, org.moe4j.tensor.NumericMode.NATIVE))) {
            runSequences(m, bin);
        }
        byte[] head = Files.readAllBytes(bin);
        assertThat(java.nio.ByteBuffer.wrap(head, 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(1);
        int length = java.nio.ByteBuffer.wrap(head, 12, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        String header = new String(head, 16, length, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(header).as("a version-1 header, as readers of version 1 know it").contains("\"scores\"").doesNotContain("predictions");
        assertThat(RoutingTraceReader.read(bin).records()).allSatisfy(r -> assertThat(r.predicted()).isNull());
    }

    @Test
    void truncatedOrCorruptedTracesGiveAClearError() throws Exception {
        Path good = dir.resolve("good.trace");
        try (Model m = ModelLoader.load(Manifest.get("qwen2moe").modelFile(), new LoadOptions(1, org.moe4j.tensor.NumericMode.NATIVE))) {
            try (RoutingSession s = RoutingSession.install(m, List.of(), good, true, true, t -> "t" + t)) {
                KVCache cache = m.newCache(1, 16);
                m.forward(Batch.of(new int[]{1, 5, 6}, 0, 0, true), cache, new float[3 * m.vocabSize()]);
            }
        }
        byte[] bytes = Files.readAllBytes(good);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        Path bad = dir.resolve("bad.trace");
        for (int round = 0; round < 400; round++) {
            byte[] b;
            if (round < 200) {
                b = Arrays.copyOf(bytes, rnd.nextInt(bytes.length)); // cut short anywhere
            } else {
                b = bytes.clone();
                for (int j = 0; j < 1 + rnd.nextInt(4); j++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            Files.write(bad, b);
            try {
                RoutingTraceReader.read(bad);
            } catch (java.io.UncheckedIOException | IllegalArgumentException e) {
                assertThat(e.getMessage()).as("round %d", round).contains("trace");
            }
        }
    }
}
