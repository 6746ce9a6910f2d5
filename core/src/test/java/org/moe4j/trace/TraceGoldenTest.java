package org.moe4j.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.tensor.NumericMode;
import org.moe4j.testing.Forward;
import org.moe4j.testing.Manifest;
import org.moe4j.testing.Manifest.Case;
import org.moe4j.testing.RoutingRecorder;

/**
 * A trace of the conformance batch pass, read back from the file, holds exactly the reference's expert
 * selections: for every MoE case, in both formats. Base models run natively against {@code routing.json};
 * quantized files run the dequantize-then-float path against {@code routing_dequant.json}, the
 * exact-agreement golden (native quantized routing legitimately flips near-ties, see the README).
 */
class TraceGoldenTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> tracesReproduceTheGoldenSelections() {
        return Manifest.cases().stream().filter(c -> c.hasFile("routing")).flatMap(c -> Stream.of(
                dynamicTest(c.name() + " binary", () -> check(c, dir.resolve(c.name() + ".trace"), true)),
                dynamicTest(c.name() + " jsonl", () -> check(c, dir.resolve(c.name() + ".jsonl"), false))));
    }

    private static void check(Case c, Path file, boolean scores) {
        NumericMode mode = c.isQuantized() ? NumericMode.FLOAT : NumericMode.NATIVE;
        JsonNode golden = c.json(c.isQuantized() ? "routing_dequant" : "routing");
        int[] ids = c.tokenIds();
        RoutingRecorder live = new RoutingRecorder();
        try (Model m = ModelLoader.load(c.modelFile(), new LoadOptions(2, mode))) {
            m.routing().addObserver(live);
            try (RoutingSession s = RoutingSession.install(m, List.of(), file, scores, t -> "<" + t + ">")) {
                Forward.batch(m, ids);
            }
        }
        RoutingTrace trace = RoutingTraceReader.read(file);
        Map<Long, TraceRecord> byLayerPos = new HashMap<>();
        for (TraceRecord r : trace.records()) byLayerPos.put(((long) r.layer() << 32) | r.pos(), r);

        int checked = 0;
        for (JsonNode layerNode : golden.get("moe_layers")) {
            int layer = layerNode.asInt();
            JsonNode perPos = golden.get("expert_ids").get(layer);
            JsonNode weights = golden.get("expert_weights").get(layer);
            for (int p = 0; p < perPos.size(); p++) {
                TraceRecord r = byLayerPos.get(((long) layer << 32) | p);
                assertThat(r).as("%s layer %d pos %d in the trace", c, layer, p).isNotNull();
                assertThat(sorted(r.experts())).as("%s layer %d pos %d", c, layer, p).containsExactly(sorted(ints(perPos.get(p))));
                assertThat(r.token()).isEqualTo(ids[p]);
                assertThat(r.seq()).isZero();
                for (int j = 0; j < r.experts().length; j++) {
                    int g = indexOf(ints(perPos.get(p)), r.experts()[j]);
                    assertThat((double) r.weights()[j]).isCloseTo(weights.get(p).get(g).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(0);
        assertThat(trace.records()).hasSize(live.entries.size());
        for (int i = 0; i < live.entries.size(); i++) {
            RoutingRecorder.Entry e = live.entries.get(i);
            TraceRecord r = trace.records().get(i);
            assertThat(r.experts()).containsExactly(e.experts());
            assertThat(r.weights()).as("weights round-trip bit for bit").containsExactly(e.weights());
            if (scores) assertThat(r.scores()).hasSize(r.nExpert());
        }
        assertThat(trace.text(ids[3])).isEqualTo("<" + ids[3] + ">");
        assertThat(trace.header().moeLayers()).containsExactly(ints(golden.get("moe_layers")));
    }

    private static int[] sorted(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    private static int indexOf(int[] a, int x) {
        for (int i = 0; i < a.length; i++) if (a[i] == x) return i;
        return -1;
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
