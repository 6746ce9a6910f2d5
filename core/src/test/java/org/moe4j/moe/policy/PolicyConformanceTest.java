package org.moe4j.moe.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
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
import org.moe4j.trace.RoutingSession;
import org.moe4j.trace.RoutingTraceReader;
import org.moe4j.trace.TraceRecord;

/** The guarantees for policies, on every MoE model of the conformance set. */
class PolicyConformanceTest {
    @TempDir
    Path dir;

    private static Stream<Case> moeCases() {
        return Manifest.cases().stream().filter(c -> !c.isQuantized() && c.hasFile("routing"));
    }

    @TestFactory
    Stream<DynamicTest> trainedTopKIsBitIdenticalToNoPolicy() {
        return moeCases().map(c -> dynamicTest(c.name(), () -> with(c, m -> {
            float[] plain = Forward.batch(m, c.tokenIds());
            float[] policy = run(m, c, "top-k=" + m.config().expertUsedCount);
            assertThat(policy).as("logits with top-k = trained k").containsExactly(plain);
            float[] noDrop = run(m, c, "threshold=0");
            assertThat(noDrop).as("logits with a threshold that drops nothing").containsExactly(plain);
            return null;
        })));
    }

    @TestFactory
    Stream<DynamicTest> topPOfOneEqualsAllExperts() {
        return moeCases().map(c -> dynamicTest(c.name(), () -> with(c, m -> {
            float[] all = run(m, c, "top-k=" + m.config().expertCount);
            float[] p1 = run(m, c, "top-p=1.0");
            assertThat(p1).containsExactly(all);
            RoutingRecorder rec = record(m, c, "top-p=1.0");
            int groups = m.config().expertGroupCount;
            int eligible = groups > 1 ? m.config().expertCount / groups * m.config().expertGroupUsedCount : m.config().expertCount;
            assertThat(rec.entries).allSatisfy(e -> assertThat(e.experts()).hasSize(eligible));
            return null;
        })));
    }

    @TestFactory
    Stream<DynamicTest> maskedExpertsNeverRun() {
        return moeCases().map(c -> dynamicTest(c.name(), () -> with(c, m -> {
            RoutingRecorder plain = record(m, c);
            int busiest = busiest(plain, m.config().expertCount);
            RoutingRecorder masked = record(m, c, "mask=" + busiest);
            assertThat(masked.entries).hasSameSizeAs(plain.entries);
            assertThat(masked.entries).allSatisfy(e -> {
                assertThat(e.experts()).doesNotContain(busiest);
                assertThat(e.experts()).hasSize(m.config().expertUsedCount);
            });
            // and so in a trace of the run, as a user would check it
            Path trace = dir.resolve(c.name() + "-masked.jsonl");
            try (RoutingSession s = RoutingSession.install(m, List.of("mask=" + busiest), trace, false, null)) {
                Forward.batch(m, c.tokenIds());
            }
            List<TraceRecord> records = RoutingTraceReader.read(trace).records();
            assertThat(records).hasSameSizeAs(plain.entries);
            assertThat(records).allSatisfy(r -> assertThat(r.experts()).doesNotContain(busiest));
            // scoped to the last MoE layer: every earlier decision is computed from unchanged inputs
            int lastMoe = masked.entries.getLast().layer();
            RoutingRecorder oneLayer = record(m, c, "mask=" + busiest + "@layer=" + lastMoe);
            for (int i = 0; i < plain.entries.size(); i++) {
                RoutingRecorder.Entry e = oneLayer.entries.get(i);
                if (e.layer() == lastMoe) assertThat(e.experts()).doesNotContain(busiest);
                else assertThat(e.experts()).containsExactly(plain.entries.get(i).experts());
            }
            return null;
        })));
    }

    @TestFactory
    Stream<DynamicTest> forcedExpertsAlwaysRun() {
        return moeCases().map(c -> dynamicTest(c.name(), () -> with(c, m -> {
            int rare = rarest(record(m, c), m.config().expertCount);
            RoutingRecorder forced = record(m, c, "force=" + rare);
            assertThat(forced.entries).isNotEmpty().allSatisfy(e -> {
                assertThat(e.experts()).contains(rare);
                assertThat(e.experts()).hasSize(m.config().expertUsedCount);
            });
            return null;
        })));
    }

    private static float[] run(Model m, Case c, String... specs) {
        CompositePolicy p = RoutingPolicies.parse(List.of(specs));
        m.routing().addPolicy(p);
        try {
            return Forward.batch(m, c.tokenIds());
        } finally {
            m.routing().removePolicy(p);
        }
    }

    private static RoutingRecorder record(Model m, Case c, String... specs) {
        RoutingRecorder rec = new RoutingRecorder();
        m.routing().addObserver(rec);
        try {
            run(m, c, specs);
        } finally {
            m.routing().removeObserver(rec);
        }
        return rec;
    }

    private static int busiest(RoutingRecorder rec, int experts) {
        int[] counts = counts(rec, experts);
        int best = 0;
        for (int e = 1; e < counts.length; e++) if (counts[e] > counts[best]) best = e;
        return best;
    }

    private static int rarest(RoutingRecorder rec, int experts) {
        int[] counts = counts(rec, experts);
        int best = 0;
        for (int e = 1; e < experts; e++) if (counts[e] < counts[best]) best = e;
        return best;
    }

    private static int[] counts(RoutingRecorder rec, int size) {
        int[] counts = new int[size];
        for (RoutingRecorder.Entry e : rec.entries) for (int x : e.experts()) counts[x]++;
        return counts;
    }

    private static <T> T with(Case c, Function<Model, T> body) {
        try (Model m = ModelLoader.load(c.modelFile(), new LoadOptions(2, NumericMode.NATIVE))) {
            return body.apply(m);
        }
    }
}
