package org.moe4j.cli;

import org.moe4j.cli.options.ExpertCacheOptions;
import org.moe4j.cli.options.ModelOptions;
import org.moe4j.cli.options.RoutingOptions;
import org.moe4j.cli.options.SamplingOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.moe4j.api.Moe4j;
import org.moe4j.generate.GenerationConfig;
import org.moe4j.generate.TextGenerator;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.trace.RoutingSession;
import org.moe4j.trace.TokenTexts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Continue a prompt and stream the generated text, then print a tokens/s summary on stderr.",
                "Without --model it uses the bundled default model: a small MoE that moe4j trained itself on the "
                        + "King James Bible and US State of the Union addresses (public domain); see README.md.",
                "Ctrl-C stops generation and still prints the summary."})
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The prompt (default: read --file or stdin)")
    String prompt;

    @Option(names = {"-f", "--file"}, description = "Read the prompt from a file")
    Path file;

    @Option(names = "--no-echo", description = "Do not print the prompt before the generated text")
    boolean noEcho;

    @Option(names = "--raw", description = "Tokenize special-token text (e.g. <|im_start|>) as plain text and add no BOS")
    boolean raw;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    RoutingOptions routing;

    @Mixin
    ExpertCacheOptions expertCache;

    @Override
    public Integer call() throws IOException {
        String text = prompt != null ? prompt
                : file != null ? Files.readString(file)
                : new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Moe4j llm = Moe4j.load(modelOptions.path(), modelOptions.loadOptions(), modelOptions.contextLength())) {
            // before the routing session, so the trace and the active-expert figures hold only this prompt
            double warm = llm.warmUp();
            return generate(llm, text, out, warm);
        }
    }

    private int generate(Moe4j llm, String text, PrintStream out, double warm) {
        // the cache after the routing session, so that skipping sees the routing after every policy
        try (RoutingSession rs = routing.install(llm.model(), TokenTexts.of(llm.tokenizer()));
             ExpertCache cache = expertCache.open(llm.model())) {
            int[] ids = raw ? llm.tokenizer().encode(text, false, false) : llm.tokenize(text);
            GenerationConfig cfg = sampling.toConfig();
            if (!noEcho) {
                out.print(text);
                out.flush();
            }
            Interrupts.install();
            Interrupts.take();
            TextGenerator.Result r = new TextGenerator(llm.model(), llm.tokenizer()).generate(ids, cfg,
                    llm.model().newCache(1, llm.contextLength()), 0, s -> {
                        out.print(s);
                        out.flush();
                    }, Interrupts::pending);
            Interrupts.take();
            out.println();
            System.err.printf("%n%s | stop: %s | seed %d | %d threads | JIT warm-up %.1f s (not counted)%n", r.stats().summary(),
                    r.reason().name().toLowerCase(java.util.Locale.ROOT), cfg.sampler().seed(), llm.model().pool().threads(), warm);
            if (routing.requested()) System.err.println(rs.stats().summary());
            expertCache.report(cache, llm.model(), r.stats().generationTokensPerSecond(), System.err);
        }
        return 0;
    }
}
