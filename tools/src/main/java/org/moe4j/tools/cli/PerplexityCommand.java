package org.moe4j.tools.cli;

import org.moe4j.cli.options.ExpertCacheOptions;
import org.moe4j.cli.options.ModelPaths;
import org.moe4j.cli.options.RoutingOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.tensor.NumericMode;
import org.moe4j.tokenizer.Tokenizer;
import org.moe4j.tools.perplexity.Perplexity;
import org.moe4j.trace.RoutingSession;
import org.moe4j.trace.TokenTexts;
import org.moe4j.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Perplexity of a model over a text, in windows of --ctx tokens (the second half of each window is scored, "
                + "as the reference engine's perplexity tool does), with the average number of active experts: "
                + "what a routing policy (--policy) costs in quality and saves in compute."})
public final class PerplexityCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, description = "GGUF model file (default: the bundled model, " + ModelPaths.DEFAULT_MODEL + ")")
    Path model;

    @Option(names = {"-f", "--file"}, required = true, description = "UTF-8 text file")
    Path file;

    @Option(names = {"-c", "--ctx"}, defaultValue = "512", description = "Tokens per window (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = {"-b", "--batch"}, defaultValue = "2048",
            description = "Tokens per forward pass; several windows are evaluated together (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--windows", defaultValue = "0", description = "Evaluate at most this many windows (default: all)")
    int maxWindows;

    @Option(names = {"-t", "--threads"}, description = "Compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--float-activations", description = "Use the dequantize-then-float path instead of 8-bit activations")
    boolean floatActivations;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON")
    Path json;

    @Mixin
    RoutingOptions routing;

    @Mixin
    ExpertCacheOptions expertCache;

    @Override
    public Integer call() throws Exception {
        LoadOptions opts = LoadOptions.defaults().withMode(floatActivations ? NumericMode.FLOAT : NumericMode.NATIVE);
        if (threads != null) opts = opts.withThreads(threads);
        try (Model m = ModelLoader.load(ModelPaths.resolve(model), opts)) {
            Tokenizer tok = Tokenizer.fromGGUF(m.file());
            int[] tokens = tok.encode(Files.readString(file), false, false);
            Perplexity.Settings s = new Perplexity.Settings(context, batch, maxWindows);
            int windows = Perplexity.windows(tokens.length, s);
            try (RoutingSession rs = routing.install(m, TokenTexts.of(tok));
                 ExpertCache cache = expertCache.open(m);
                 Progress p = new Progress("perplexity", windows, "windows")) {
                System.err.printf(Locale.ROOT, "%s: %d tokens, %d windows of %d, routing policy: %s%n", file, tokens.length, windows,
                        context, rs.policy());
                Perplexity.Result r = Perplexity.run(m, tokens, startToken(tok), s, (done, total, ppl) -> {
                    p.set(done);
                    p.status(String.format(Locale.ROOT, "ppl %.4f", ppl));
                });
                p.close(); // finish the bar before the result line
                System.out.printf(Locale.ROOT, "perplexity %.4f over %d scored tokens (%d windows of %d) | %.1f tokens/s | "
                                + "active experts per token and layer %.3f (trained %d)%n",
                        r.perplexity(), r.scoredTokens(), r.windows(), r.context(), r.tokensPerSecond(), rs.stats().average(),
                        m.config().expertUsedCount);
                if (json != null) writeJson(r, rs, m);
                expertCache.report(cache, m, r.tokensPerSecond(), System.err);
            }
        }
        return 0;
    }

    /** BOS when the model's tokenizer adds one to a prompt, else none (each window keeps its own first token). */
    private static int startToken(Tokenizer tok) {
        int[] specials = tok.encode("", true, false);
        return specials.length > 0 && specials[0] == tok.bos() ? tok.bos() : -1;
    }

    private void writeJson(Perplexity.Result r, RoutingSession rs, Model m) throws java.io.IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.config().name);
        o.put("file", file.toString());
        o.put("policy", rs.policy().toString());
        o.put("perplexity", r.perplexity());
        o.put("mean_nll", r.meanNll());
        o.put("scored_tokens", r.scoredTokens());
        o.put("windows", r.windows());
        o.put("context", r.context());
        o.put("tokens_per_second", r.tokensPerSecond());
        o.put("average_active_experts", rs.stats().average());
        double[] perLayer = new double[m.blockCount()];
        for (int l = 0; l < perLayer.length; l++) perLayer[l] = rs.stats().average(l);
        o.put("active_experts_by_layer", perLayer);
        o.put("window_perplexity", r.windowPerplexity());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), o);
    }
}
