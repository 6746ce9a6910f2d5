package org.moe4j.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tools.synth.ModelSynthesizer;
import org.moe4j.tools.synth.Preset;
import org.moe4j.trace.RoutingTrace;
import org.moe4j.trace.RoutingTraceReader;

/**
 * The measurement behind {@code moe4j bench --tracing-overhead} does what it says: every mode decodes, the
 * traces it writes hold every MoE layer of every decoded token, and the figures are consistent. How fast
 * is not asserted: that is the command's job, on a quiet machine.
 */
class TracingOverheadTest {
    @TempDir
    Path dir;

    @Test
    void measuresEveryModeAndWritesCompleteTraces() throws Exception {
        Path file = dir.resolve("tiny-olmoe.gguf");
        new ModelSynthesizer(Preset.get("tiny-olmoe"), GGMLType.F16, 3).write(file, false);
        List<String> rounds = new ArrayList<>();
        try (Model m = ModelLoader.load(file, LoadOptions.defaults().withThreads(1))) {
            TracingOverhead.Result r = TracingOverhead.measure(m, "tiny", new TracingOverhead.Settings(4, 6, 3, 1), dir,
                    (i, of) -> rounds.add(i + "/" + of));
            assertThat(rounds).containsExactly("1/4", "2/4", "3/4", "4/4");
            assertThat(r.rows()).extracting(TracingOverhead.Row::mode).containsExactly("none", "binary", "jsonl", "binary+scores");
            TracingOverhead.Row none = r.rows().getFirst();
            assertThat(none.rate_change()).isZero();
            assertThat(none.writer_share()).isZero();
            assertThat(none.trace_bytes()).isZero();
            for (TracingOverhead.Row row : r.rows()) {
                assertThat(row.tokens_per_s()).as(row.mode()).isPositive().isFinite();
                if (row != none) {
                    assertThat(row.writer_share()).as(row.mode()).isPositive().isLessThan(1);
                    assertThat(row.trace_bytes()).as(row.mode()).isPositive();
                }
            }
            assertThat(r.rows().get(3).trace_bytes()).as("scores make the binary trace larger")
                    .isGreaterThan(r.rows().get(1).trace_bytes());

            for (String name : List.of("binary.trace", "trace.jsonl", "scores.trace")) {
                RoutingTrace t = RoutingTraceReader.read(dir.resolve(name));
                assertThat(t.header().scores()).as(name).isEqualTo(name.startsWith("scores"));
                // the prompt pass (4 tokens) and the 6 decoded tokens, each through every MoE layer
                assertThat(t.records()).as(name).hasSize((4 + 6) * t.header().moeLayers().length);
            }
        }
    }
}
