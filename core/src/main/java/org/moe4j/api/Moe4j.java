package org.moe4j.api;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.moe4j.generate.GenerationConfig;
import org.moe4j.generate.TextGenerator;
import org.moe4j.model.JitWarmUp;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.RoutingHooks;
import org.moe4j.tokenizer.Tokenizer;

/**
 * The small Java API: load a GGUF model, tokenize, generate with streaming, close.
 *
 * <pre>{@code
 * try (Moe4j llm = Moe4j.load(Path.of("models/moe4j-default.gguf"))) {
 *     var result = llm.generate("And God said", GenerationConfig.defaults().withMaxTokens(64), System.out::print);
 *     System.out.println("\n" + result.stats().summary());
 * }
 * }</pre>
 *
 * One instance runs one generation at a time (calls are serialised); the server batches many requests
 * over one {@link Model} instead.
 */
public final class Moe4j implements AutoCloseable {
    private final Model model;
    private final Tokenizer tokenizer;
    private final int contextLength;
    private KVCache cache;

    private Moe4j(Model model, int contextLength) {
        this.model = model;
        this.tokenizer = Tokenizer.fromGGUF(model.file());
        this.contextLength = contextLength;
    }

    /** Loads a model with all cores and a context of up to 4096 tokens (or the model's own, if smaller). */
    public static Moe4j load(Path gguf) {
        return load(gguf, LoadOptions.defaults(), 4096);
    }

    public static Moe4j load(Path gguf, LoadOptions options, int contextLength) {
        Model m = ModelLoader.load(gguf, options);
        try {
            int ctx = Math.max(1, Math.min(contextLength, m.config().contextLength));
            return new Moe4j(m, ctx);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Where routing policies and observers plug in (see {@link RoutingHooks}). */
    public RoutingHooks routing() {
        return model.routing();
    }

    /**
     * Runs small forward passes (about a second, see {@link JitWarmUp}) so the JIT compiles the kernels
     * before anything is timed; returns the seconds it took. Generation works without it, only its first
     * tokens are slower.
     */
    public synchronized double warmUp() {
        return JitWarmUp.run(model, 1.0);
    }

    /** Token ids of a text as a prompt: BOS added if the model wants it, special-token text recognised. */
    public int[] tokenize(String text) {
        return tokenizer.encode(text, true, true);
    }

    public String detokenize(int[] ids) {
        return tokenizer.decode(ids);
    }

    /** Generates a continuation of {@code prompt}, streaming text to {@code onText} (may be null). */
    public synchronized TextGenerator.Result generate(String prompt, GenerationConfig config, Consumer<String> onText) {
        return generate(tokenize(prompt), config, onText);
    }

    /** Generates a continuation of a tokenized prompt. */
    public synchronized TextGenerator.Result generate(int[] prompt, GenerationConfig config, Consumer<String> onText) {
        if (cache == null) cache = model.newCache(1, contextLength);
        return new TextGenerator(model, tokenizer).generate(prompt, config, cache, 0, onText, null);
    }

    @Override
    public void close() {
        model.close();
    }
}
