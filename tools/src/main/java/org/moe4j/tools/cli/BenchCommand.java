package org.moe4j.tools.cli;

import org.moe4j.cli.options.ExpertCacheOptions;
import org.moe4j.cli.options.ModelPaths;
import org.moe4j.cli.options.RoutingOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.tensor.NumericMode;
import org.moe4j.tools.bench.BandwidthProbe;
import org.moe4j.tools.bench.Bench;
import org.moe4j.tools.bench.BenchResult;
import org.moe4j.tools.bench.TracingOverhead;
import org.moe4j.util.Progress;
import org.moe4j.util.WorkerPool;
import org.moe4j.trace.RoutingSession;
import org.moe4j.trace.TokenTexts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure prompt processing (-p) and generation (-n) throughput, with the memory-bandwidth "
                + "roofline of the same machine: roofline tokens/s = measured read bandwidth / weight bytes read per token."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, description = "GGUF model file (default: the bundled model, " + ModelPaths.DEFAULT_MODEL + ")")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "512", description = "Prompt tokens (0 to skip; default: ${DEFAULT-VALUE})")
    int pp;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "128", description = "Generated tokens (0 to skip; default: ${DEFAULT-VALUE})")
    int tg;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", description = "Runs of each test (default: ${DEFAULT-VALUE})")
    int reps;

    @Option(names = {"-t", "--threads"}, description = "Compute threads (default: all cores)")
    Integer threads;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "512", description = "Prompt tokens per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--float-activations", description = "Use the dequantize-then-float path instead of 8-bit activations")
    boolean floatActivations;

    @Option(names = "--bandwidth-gib", defaultValue = "1", description = "Size of the bandwidth probe buffer in GiB; 0 skips the probe, and bandwidth, roofline and "
            + "the fraction of it are then reported as 0 (default: ${DEFAULT-VALUE})")
    int probeGib;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of the table")
    boolean json;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random token ids")
    long seed;

    @Option(names = "--tracing-overhead", description = "Instead of pp/tg: measure what routing traces cost generation. Decodes -n tokens "
            + "(default here 96) token by token with no trace, a binary trace, a JSONL trace and a binary trace with scores, in -r "
            + "interleaved rounds (default here 7), and prints the median rate of each and the share of decode time spent in the "
            + "trace writer")
    boolean tracingOverhead;

    @Mixin
    RoutingOptions routing;

    @Mixin
    ExpertCacheOptions expertCache;

    @Spec
    CommandSpec spec;

    private ExpertCache cache;

    @Override
    public Integer call() throws Exception {
        if (pp < 0 || tg < 0 || reps < 1 || batch < 1 || probeGib < 0) {
            throw new IllegalArgumentException("-p, -n, --bandwidth-gib >= 0; -r, -b >= 1");
        }
        int t = threads != null ? threads : WorkerPool.defaultThreads();
        if (tracingOverhead) return tracingOverhead(t);
        double bw = 0;
        if (probeGib > 0) {
            System.err.printf(Locale.ROOT, "measuring memory bandwidth (%d threads, %d GiB)...%n", t, probeGib);
            bw = BandwidthProbe.measure(t, (long) probeGib << 30, 5);
        } else {
            System.err.println("bandwidth probe skipped (--bandwidth-gib 0): no roofline");
        }
        BenchResult r = Bench.run(new Bench.Settings(ModelPaths.resolve(model), pp, tg, reps, t, batch, seed, loadOptions(t)), bw, new Bench.Listener() {
            @Override
            public void phase(String phase) {
                status(phase);
            }

            @Override
            public void warmedUp() {
                if (cache != null) cache.resetStats(); // statistics of the timed runs only
            }

            @Override
            public void finished(Model m, BenchResult result) {
                expertCache.report(cache, m, result.tg_tokens_per_s(), System.err);
            }
        }, this::setUp);
        if (System.console() != null) System.err.println();
        if (json) {
            printJson(r);
        } else {
            printTable(r);
        }
        return 0;
    }

    private int tracingOverhead(int t) throws Exception {
        if (routing.tracing() || expertCache.enabled()) {
            throw new IllegalArgumentException("--tracing-overhead writes its own traces and runs the model fully resident: "
                    + "drop --trace and --expert-cache");
        }
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        int tokens = given.hasMatchedOption("-n") ? tg : 96;
        int rounds = given.hasMatchedOption("-r") ? reps : 7;
        if (tokens < 1) throw new IllegalArgumentException("--tracing-overhead needs -n >= 1");
        Path file = ModelPaths.resolve(model);
        Path dir = Files.createTempDirectory("moe4j-tracing");
        var settings = new TracingOverhead.Settings(16, tokens, rounds, 4);
        try (Model m = ModelLoader.load(file, loadOptions(t))) {
            TracingOverhead.Result r = TracingOverhead.measure(m, file.getFileName().toString(), settings, dir,
                    (i, of) -> status("round " + i + "/" + of + (i <= settings.warmUps() ? " (warm-up)" : "")));
            if (System.console() != null) System.err.println();
            if (json) {
                printJson(r);
            } else {
                System.out.printf(Locale.ROOT, "tracing overhead on %s, %d decode steps, median of %d interleaved rounds, %d threads%n",
                        r.model(), r.decode_tokens(), r.rounds(), t);
                System.out.printf(Locale.ROOT, "| %-14s | %10s | %8s | %16s | %10s | %10s |%n",
                        "trace", "tokens/s", "rate", "time in writer", "close", "trace size");
                System.out.println("|" + "-".repeat(16) + "|" + "-".repeat(12) + "|" + "-".repeat(10) + "|" + "-".repeat(18)
                        + "|" + "-".repeat(12) + "|" + "-".repeat(12) + "|");
                for (TracingOverhead.Row row : r.rows()) {
                    boolean none = row.mode().equals(TracingOverhead.Mode.NONE.label());
                    System.out.printf(Locale.ROOT, "| %-14s | %10.1f | %8s | %16s | %10s | %10s |%n", row.mode(), row.tokens_per_s(),
                            none ? "" : String.format(Locale.ROOT, "%+.2f %%", row.rate_change() * 100),
                            none ? "" : String.format(Locale.ROOT, "%.2f %%", row.writer_share() * 100),
                            none ? "" : String.format(Locale.ROOT, "%.2f ms", row.close_ms()),
                            none ? "" : Progress.bytes(row.trace_bytes()));
                }
                System.out.println("\n\"time in writer\" is the forward thread's share of decode time in the trace writer: what tracing "
                        + "costs the rate. The rate's change against no trace moves with other load on the machine.");
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    private LoadOptions loadOptions(int threads) {
        return new LoadOptions(threads, floatActivations ? NumericMode.FLOAT : NumericMode.NATIVE);
    }

    /** One status line on stderr, rewritten in place on a terminal. */
    private static void status(String line) {
        if (System.console() != null) System.err.print("\r" + line + "\u001b[K");
        else System.err.println(line);
    }

    private static void printJson(Object result) throws Exception {
        System.out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
    }

    /** Routing session, then expert cache (so skipping sees the routing after every policy); both closed before the model. */
    private AutoCloseable setUp(Model m) {
        RoutingSession rs = routing.install(m, routing.tracing() ? TokenTexts.of(m.file()) : null);
        try {
            cache = expertCache.open(m);
        } catch (RuntimeException e) {
            rs.close();
            throw e;
        }
        return () -> {
            try {
                if (cache != null) cache.close();
            } finally {
                rs.close();
            }
        };
    }

    private static void printTable(BenchResult r) {
        System.out.printf(Locale.ROOT, "| %-28s | %-10s | %10s | %8s | %7s | %-6s | %16s | %9s |%n",
                "model", "arch", "size", "params", "threads", "test", "t/s", "roofline");
        System.out.println("|" + "-".repeat(30) + "|" + "-".repeat(12) + "|" + "-".repeat(12) + "|" + "-".repeat(10)
                + "|" + "-".repeat(9) + "|" + "-".repeat(8) + "|" + "-".repeat(18) + "|" + "-".repeat(11) + "|");
        if (r.pp_tokens() > 0) {
            System.out.printf(Locale.ROOT, "| %-28s | %-10s | %10s | %8s | %7d | pp%-4d | %8.2f ± %5.2f | %9s |%n",
                    r.model(), r.architecture(), Progress.bytes(r.model_bytes()), Progress.human(r.params_total()), r.threads(),
                    r.pp_tokens(), r.pp_tokens_per_s(), r.pp_std(), "");
        }
        boolean probed = r.bandwidth_gb_s() > 0;
        if (r.tg_tokens() > 0) {
            System.out.printf(Locale.ROOT, "| %-28s | %-10s | %10s | %8s | %7d | tg%-4d | %8.2f ± %5.2f | %9s |%n",
                    r.model(), r.architecture(), Progress.bytes(r.model_bytes()), Progress.human(r.params_total()), r.threads(),
                    r.tg_tokens(), r.tg_tokens_per_s(), r.tg_std(),
                    probed ? String.format(Locale.ROOT, "%.0f%%", r.tg_roofline_fraction() * 100) : "n/a");
        }
        String roofline = probed
                ? String.format(Locale.ROOT, "measured read bandwidth %.1f GB/s | roofline %.2f tokens/s | generation reaches %.0f%% of it",
                        r.bandwidth_gb_s(), r.roofline_tokens_per_s(), r.tg_roofline_fraction() * 100)
                : "no bandwidth probe, no roofline";
        System.out.printf(Locale.ROOT, "%nactive weight bytes per token %s | %s | %s activations | %s%n",
                Progress.bytes(r.active_bytes_per_token()), roofline, r.numeric_mode().toLowerCase(Locale.ROOT), r.cpu());
        if (r.tg_alloc_bytes_per_token() >= 0) {
            System.out.printf(Locale.ROOT, "heap allocated per generated token (steady state, forward-pass threads): %.0f bytes%n",
                    r.tg_alloc_bytes_per_token());
        }
        if (r.pp_alloc_bytes_per_token() >= 0) {
            System.out.printf(Locale.ROOT, "heap allocated per prompt token (forward-pass threads): %.0f bytes%n",
                    r.pp_alloc_bytes_per_token());
        }
    }
}
