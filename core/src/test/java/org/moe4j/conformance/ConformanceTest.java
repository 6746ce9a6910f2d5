package org.moe4j.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.tensor.NumericMode;
import org.moe4j.testing.Manifest;
import org.moe4j.testing.Manifest.Case;
import org.moe4j.testing.RoutingRecorder;
import org.moe4j.testing.Tolerance;

/**
 * Every model of the shared conformance set against the reference's goldens, with the tolerances its
 * README states: logits in batch and one-token-at-a-time mode, hidden states, expert selections and
 * greedy continuations. Quantized files are checked twice: dequantize-then-float math against the
 * {@code *_dequant} goldens (tight), and the native integer path against the native goldens.
 */
class ConformanceTest {

    @TestFactory
    Stream<DynamicNode> everyCase() {
        return Manifest.cases().stream().map(c -> dynamicContainer(c.name(),
                c.isQuantized() ? quantizedTests(c) : baseTests(c)));
    }

    private static Stream<DynamicNode> baseTests(Case c) {
        List<DynamicNode> t = new ArrayList<>();
        int[] ids = c.tokenIds();
        int v = c.vocab();
        t.add(dynamicTest("batch logits", () -> with(c, NumericMode.NATIVE, m ->
                Tolerance.assertClose(c + " batch", ModelRunner.batch(m, ids), 0, c.f32("logits_batch"), 0, ids.length * v,
                        c.atol("logits_batch"), c.rtol("logits_batch")))));
        t.add(dynamicTest("sequential logits", () -> with(c, NumericMode.NATIVE, m ->
                Tolerance.assertClose(c + " sequential", ModelRunner.sequential(m, ids), 0, c.f32("logits_decode"), 0, ids.length * v,
                        c.atol("logits_decode"), c.rtol("logits_decode")))));
        t.add(dynamicTest("hidden states", () -> with(c, NumericMode.NATIVE, m -> {
            float[] gold = c.f32("hidden");
            float[] h = ModelRunner.hidden(m, ids);
            assertThat(h.length).isEqualTo(gold.length);
            Tolerance.assertClose(c + " hidden", h, 0, gold, 0, gold.length, c.atol("hidden"), c.rtol("hidden"));
        })));
        if (c.hasFile("routing")) {
            t.add(dynamicTest("expert selections", () -> with(c, NumericMode.NATIVE, m ->
                    assertThat(routingAgreement(m, ids, c.json("routing"))).isEqualTo(1.0))));
        }
        t.add(dynamicTest("greedy continuation", () -> with(c, NumericMode.NATIVE, m -> {
            JsonNode g = c.json("greedy");
            ModelRunner.Greedy r = ModelRunner.greedy(m, ints(g.get("prompt")), g.get("generated").size());
            assertThat(r.tokens()).containsExactly(ints(g.get("generated")));
            Tolerance.assertClose(c + " greedy logits", r.logits(), 0, c.f32("greedy_logits"), 0, r.logits().length,
                    c.atol("greedy_logits"), c.rtol("greedy_logits"));
        })));
        return t.stream();
    }

    private static Stream<DynamicNode> quantizedTests(Case c) {
        List<DynamicNode> t = new ArrayList<>();
        int[] ids = c.tokenIds();
        int v = c.vocab();
        // "dequantize, then float32 math" must reproduce the dequant twin's goldens as tightly as F32 models
        double atol = 1e-4, rtol = 1e-4;
        t.add(dynamicTest("dequantized batch logits", () -> with(c, NumericMode.FLOAT, m ->
                Tolerance.assertClose(c + " dequant batch", ModelRunner.batch(m, ids), 0, c.f32("logits_batch_dequant"), 0,
                        ids.length * v, atol, rtol))));
        t.add(dynamicTest("dequantized sequential logits", () -> with(c, NumericMode.FLOAT, m ->
                Tolerance.assertClose(c + " dequant sequential", ModelRunner.sequential(m, ids), 0, c.f32("logits_batch_dequant"), 0,
                        ids.length * v, atol, rtol))));
        t.add(dynamicTest("dequantized expert selections", () -> with(c, NumericMode.FLOAT, m ->
                assertThat(routingAgreement(m, ids, c.json("routing_dequant"))).isEqualTo(1.0))));
        t.add(dynamicTest("dequantized greedy continuation", () -> with(c, NumericMode.FLOAT, m -> {
            JsonNode g = c.json("greedy_dequant");
            ModelRunner.Greedy r = ModelRunner.greedy(m, ints(g.get("prompt")), g.get("generated").size());
            assertThat(r.tokens()).containsExactly(ints(g.get("generated")));
        })));
        t.add(dynamicTest("native batch logits and routing", () -> with(c, NumericMode.NATIVE, m ->
                checkNative(c, m, ModelRunner.batch(m, ids), ids, v))));
        t.add(dynamicTest("native sequential logits", () -> with(c, NumericMode.NATIVE, m ->
                checkNative(c, m, ModelRunner.sequential(m, ids), ids, v))));
        return t.stream();
    }

    /**
     * Native quantized runs: atol 0.15 at every position whose expert sets equal the reference's in
     * every MoE layer, and at least 90 % of (layer, position) selections identical.
     */
    private static void checkNative(Case c, Model m, float[] logits, int[] ids, int v) {
        JsonNode routing = c.json("routing");
        RoutingRecorder rec = new RoutingRecorder();
        m.routing().addObserver(rec);
        ModelRunner.batch(m, ids);
        m.routing().removeObserver(rec);
        boolean[] same = samePositions(rec, routing, ids.length);
        double agreement = agreement(rec, routing);
        assertThat(agreement).as(c + " native routing agreement").isGreaterThanOrEqualTo(0.90);
        float[] gold = c.f32("logits_batch");
        int compared = 0;
        for (int p = 0; p < ids.length; p++) {
            if (!same[p]) continue;
            compared++;
            Tolerance.assertClose(c + " native position " + p, logits, p * v, gold, p * v, v, 0.15, 0);
        }
        assertThat(compared).as("positions with identical routing").isGreaterThan(ids.length / 2);
    }

    private static double routingAgreement(Model m, int[] ids, JsonNode routing) {
        RoutingRecorder rec = new RoutingRecorder();
        m.routing().addObserver(rec);
        try {
            ModelRunner.batch(m, ids);
        } finally {
            m.routing().removeObserver(rec);
        }
        assertThat(rec.entries).isNotEmpty();
        return agreement(rec, routing);
    }

    private static double agreement(RoutingRecorder rec, JsonNode routing) {
        int total = 0, equal = 0;
        for (JsonNode layerNode : routing.get("moe_layers")) {
            int layer = layerNode.asInt();
            JsonNode perPos = routing.get("expert_ids").get(layer);
            for (int p = 0; p < perPos.size(); p++) {
                total++;
                RoutingRecorder.Entry e = rec.find(layer, p);
                if (e != null && sameSet(e.experts(), ints(perPos.get(p)))) equal++;
            }
        }
        return total == 0 ? 0 : (double) equal / total;
    }

    private static boolean[] samePositions(RoutingRecorder rec, JsonNode routing, int n) {
        boolean[] same = new boolean[n];
        Arrays.fill(same, true);
        for (JsonNode layerNode : routing.get("moe_layers")) {
            int layer = layerNode.asInt();
            JsonNode perPos = routing.get("expert_ids").get(layer);
            for (int p = 0; p < n; p++) {
                RoutingRecorder.Entry e = rec.find(layer, p);
                if (e == null || !sameSet(e.experts(), ints(perPos.get(p)))) same[p] = false;
            }
        }
        return same;
    }

    private static boolean sameSet(int[] a, int[] b) {
        int[] x = a.clone(), y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        return Arrays.equals(x, y);
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    private static void with(Case c, NumericMode mode, Consumer<Model> body) {
        try (Model m = ModelLoader.load(c.modelFile(), new LoadOptions(2, mode))) {
            body.accept(m);
        }
    }
}
