package org.moe4j.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.VectorOps;
import org.moe4j.tools.synth.ModelSynthesizer;
import org.moe4j.tools.synth.Preset;
import org.moe4j.trace.RoutingTraceWriter;
import org.moe4j.trace.TraceHeader;

/**
 * What tracing costs generation: token-by-token decoding with no trace, a binary trace, a JSONL trace and a
 * binary trace with all scores, in interleaved rounds. Prints the median wall-clock time of each, the
 * time the forward thread itself spends handing records to the trace writer, and the one-off wait for the
 * writer thread to format and flush at close. Asserts the per-token share (the median over rounds of the
 * time in the writer's routing callback over the decode time) stays under 5 %: that is what tracing costs
 * the generation rate. The wall-clock differences are printed, not asserted, because other processes on a
 * shared machine move them by more than the effect; the close wait is printed because it is paid once per
 * run (here it formats the whole trace, since a run this short fills a fraction of one buffer).
 *
 * <p>By default the model is a synthesized tiny-olmoe (2 layers, 16 experts top-4: so fast per token that
 * tracing weighs the most). {@code -Dmoe4j.overhead.model=FILE} measures another model, e.g. one from
 * {@code moe4j synth --preset small-olmoe --type F16}.
 */
class TracingOverheadTest {
    private static final int PROMPT = 16;

    @TempDir
    Path dir;

    private enum Mode { NONE, BINARY, JSONL, BINARY_SCORES }

    @Test
    void tracingCostsGenerationLittle() throws Exception {
        String given = System.getProperty("moe4j.overhead.model");
        Path model = given != null ? Path.of(given) : dir.resolve("tiny-olmoe.gguf");
        if (given == null) new ModelSynthesizer(Preset.get("tiny-olmoe"), GGMLType.F16, 3).write(model, false);
        int steps = Integer.getInteger("moe4j.overhead.tokens", 96);
        int rounds = Integer.getInteger("moe4j.overhead.rounds", 7);
        int warmUps = 4; // until the writer's callback and the sinks' formatting are compiled
        try (Model m = ModelLoader.load(model, LoadOptions.defaults())) {
            Map<Mode, double[]> times = new LinkedHashMap<>();
            Map<Mode, double[]> shares = new LinkedHashMap<>();
            long[] closeNanos = new long[Mode.values().length];
            for (Mode mode : Mode.values()) {
                times.put(mode, new double[rounds]);
                shares.put(mode, new double[rounds]);
            }
            for (int r = -warmUps; r < rounds; r++) {
                for (Mode mode : Mode.values()) {
                    long[] inWriter = new long[2];
                    long t = decode(m, mode, steps, inWriter);
                    if (r < 0) continue;
                    times.get(mode)[r] = t;
                    shares.get(mode)[r] = (double) inWriter[0] / t;
                    closeNanos[mode.ordinal()] += inWriter[1];
                }
            }
            double base = median(times.get(Mode.NONE));
            System.out.printf(Locale.ROOT, "tracing overhead on %s, %d decode steps, median of %d interleaved rounds:%n",
                    model.getFileName(), steps, rounds);
            for (Mode mode : Mode.values()) {
                double med = median(times.get(mode));
                double share = median(shares.get(mode));
                System.out.printf(Locale.ROOT,
                        "  %-14s %8.1f tokens/s  wall %+6.2f %%  forward thread in writer %5.2f %%  close %6.2f ms%n",
                        mode.name().toLowerCase(Locale.ROOT), steps / (med / 1e9), (med / base - 1) * 100, share * 100,
                        closeNanos[mode.ordinal()] / 1e6 / rounds);
                if (mode != Mode.NONE) assertThat(share).as(mode + " share of decode time in the writer").isLessThan(0.05);
            }
        }
    }

    /**
     * Decodes {@code steps} tokens greedily after a fixed prompt; returns the nanoseconds of the decode steps.
     * {@code inWriter[0]} gets the time in the writer's routing callback, {@code inWriter[1]} the wait at close.
     */
    private long decode(Model m, Mode mode, int steps, long[] inWriter) throws Exception {
        RoutingTraceWriter w = switch (mode) {
            case NONE -> null;
            case BINARY -> RoutingTraceWriter.open(dir.resolve("t.trace"), TraceHeader.of(m, false), id -> "t" + id);
            case JSONL -> RoutingTraceWriter.open(dir.resolve("t.jsonl"), TraceHeader.of(m, false), id -> "t" + id);
            case BINARY_SCORES -> RoutingTraceWriter.open(dir.resolve("s.trace"), TraceHeader.of(m, true), id -> "t" + id);
        };
        RoutingObserver timed = w == null ? null : new RoutingObserver() {
            @Override
            public void onRouting(RoutingDecision d) {
            }

            @Override
            public void onLayerRouted(int layer, RoutingDecision[] ds, int n) {
                long t0 = System.nanoTime();
                w.onLayerRouted(layer, ds, n);
                inWriter[0] += System.nanoTime() - t0;
            }
        };
        if (timed != null) m.routing().addObserver(timed);
        try {
            KVCache cache = m.newCache(1, PROMPT + steps + 1);
            int v = m.vocabSize();
            float[] logits = new float[v];
            int[] prompt = new int[PROMPT];
            for (int i = 0; i < PROMPT; i++) prompt[i] = (i * 97 + 13) % v;
            m.forward(Batch.of(prompt, 0, 0, false), cache, logits);
            Batch one = new Batch(1);
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                one.clear();
                one.add(VectorOps.argmax(logits, 0, v), PROMPT + s, 0, true);
                m.forward(one, cache, logits);
            }
            long t = System.nanoTime() - t0;
            if (w != null) {
                long c0 = System.nanoTime();
                w.close();
                inWriter[1] += System.nanoTime() - c0;
                assertThat(Files.size(dir.resolve(mode == Mode.JSONL ? "t.jsonl" : mode == Mode.BINARY ? "t.trace" : "s.trace"))).isPositive();
            }
            return t;
        } finally {
            if (timed != null) m.routing().removeObserver(timed);
        }
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
