package org.moe4j.tools.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.Model;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;
import org.moe4j.tensor.VectorOps;
import org.moe4j.trace.RoutingTraceWriter;
import org.moe4j.trace.TraceHeader;

/**
 * What tracing costs generation: token-by-token greedy decoding with no trace, a binary trace, a JSONL trace
 * and a binary trace with every score, in interleaved rounds (so that drift of the machine's speed hits every
 * mode alike), medians over the rounds.
 *
 * <p>Two figures per mode. The wall-clock rate, which other processes on a shared machine move by more than
 * the effect; and the share of decode time the forward thread itself spends handing records to the writer,
 * which they hardly disturb: that share is what tracing costs the generation rate. The one-off wait for the
 * writer thread at close is reported apart, because a run pays it once.
 */
public final class TracingOverhead {
    public enum Mode { NONE, BINARY, JSONL, BINARY_SCORES;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '+');
        }
    }

    /**
     * @param warmUps rounds run first and not counted, until the writer's callback and the sinks' formatting are compiled
     */
    public record Settings(int promptTokens, int decodeTokens, int rounds, int warmUps) {
        public Settings {
            if (promptTokens < 1 || decodeTokens < 1 || rounds < 1 || warmUps < 0) {
                throw new IllegalArgumentException("prompt and decode tokens, rounds >= 1; warm-up rounds >= 0");
            }
        }
    }

    /** One mode's medians; {@code rate_change} is relative to no trace (negative: slower); {@code writer_share}, {@code close_ms} and {@code trace_bytes} are 0 for {@link Mode#NONE}. */
    public record Row(String mode, double tokens_per_s, double rate_change, double writer_share, double close_ms, long trace_bytes) {
    }

    public record Result(String model, int decode_tokens, int rounds, List<Row> rows) {
    }

    public interface Progress {
        void round(int round, int of);
    }

    private TracingOverhead() {
    }

    /** Measures on {@code m}; trace files are written to {@code dir} (left there, one per mode, from the last round). */
    public static Result measure(Model m, String modelName, Settings s, Path dir, Progress progress) {
        Mode[] modes = Mode.values();
        double[][] nanos = new double[modes.length][s.rounds()];
        double[][] shares = new double[modes.length][s.rounds()];
        long[] closeNanos = new long[modes.length];
        long[] traceBytes = new long[modes.length];
        for (int r = -s.warmUps(); r < s.rounds(); r++) {
            progress.round(r + s.warmUps() + 1, s.rounds() + s.warmUps());
            for (Mode mode : modes) {
                long[] inWriter = new long[2];
                long t = decode(m, mode, s, dir, inWriter, traceBytes);
                if (r < 0) continue;
                nanos[mode.ordinal()][r] = t;
                shares[mode.ordinal()][r] = (double) inWriter[0] / t;
                closeNanos[mode.ordinal()] += inWriter[1];
            }
        }
        double base = median(nanos[Mode.NONE.ordinal()]);
        List<Row> rows = new ArrayList<>();
        for (Mode mode : modes) {
            double med = median(nanos[mode.ordinal()]);
            rows.add(new Row(mode.label(), s.decodeTokens() / (med / 1e9), base / med - 1, median(shares[mode.ordinal()]),
                    closeNanos[mode.ordinal()] / 1e6 / s.rounds(), traceBytes[mode.ordinal()]));
        }
        return new Result(modelName, s.decodeTokens(), s.rounds(), rows);
    }

    private static long decode(Model m, Mode mode, Settings s, Path dir, long[] inWriter, long[] traceBytes) {
        Path file = switch (mode) {
            case NONE -> null;
            case BINARY -> dir.resolve("binary.trace");
            case JSONL -> dir.resolve("trace.jsonl");
            case BINARY_SCORES -> dir.resolve("scores.trace");
        };
        RoutingTraceWriter w = file == null ? null
                : RoutingTraceWriter.open(file, TraceHeader.of(m, mode == Mode.BINARY_SCORES), id -> "t" + id);
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
            int prompt = s.promptTokens();
            KVCache cache = m.newCache(1, prompt + s.decodeTokens() + 1);
            int v = m.vocabSize();
            float[] logits = new float[v];
            int[] ids = new int[prompt];
            for (int i = 0; i < prompt; i++) ids[i] = (i * 97 + 13) % v;
            m.forward(Batch.of(ids, 0, 0, false), cache, logits);
            Batch one = new Batch(1);
            long t0 = System.nanoTime();
            for (int i = 0; i < s.decodeTokens(); i++) {
                one.clear();
                one.add(VectorOps.argmax(logits, 0, v), prompt + i, 0, true);
                m.forward(one, cache, logits);
            }
            long t = System.nanoTime() - t0;
            if (w != null) {
                long c0 = System.nanoTime();
                w.close();
                inWriter[1] += System.nanoTime() - c0;
                traceBytes[mode.ordinal()] = Files.size(file);
            }
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (timed != null) m.routing().removeObserver(timed);
            if (w != null) w.close(); // after a failure; closing twice is a no-op
        }
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
