package org.moe4j.generate;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.moe4j.model.KVCache;
import org.moe4j.model.Model;
import org.moe4j.tokenizer.StreamingDecoder;
import org.moe4j.tokenizer.Tokenizer;

/**
 * Generation at the text level: tokens are detokenized as they come (never splitting a UTF-8
 * character), stop strings end generation and are never shown, and text is streamed to a callback.
 */
public final class TextGenerator {

    /** The outcome of one generation. */
    public record Result(String text, int[] tokens, StopReason reason, GenerationStats stats) {
    }

    private final Model model;
    private final Tokenizer tokenizer;

    public TextGenerator(Model model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * Generates a continuation of {@code prompt} (token ids, already including BOS if wanted).
     *
     * @param onText     receives the text as it becomes final (may be called with pieces of any size)
     * @param cancelled  polled after each token; true stops generation
     */
    public Result generate(int[] prompt, GenerationConfig cfg, KVCache cache, int slot,
                           Consumer<String> onText, BooleanSupplier cancelled) {
        return generate(prompt, 0, cfg, cache, slot, onText, cancelled);
    }

    /** As above, with the first {@code cachedPrefix} prompt tokens already in the cache slot (see {@link TokenGenerator}). */
    public Result generate(int[] prompt, int cachedPrefix, GenerationConfig cfg, KVCache cache, int slot,
                           Consumer<String> onText, BooleanSupplier cancelled) {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer, false);
        StopStringMatcher stops = new StopStringMatcher(cfg.stop());
        TokenGenerator tg = new TokenGenerator(model, cfg.batchSize());
        Sampler sampler = new Sampler(cfg.sampler());
        TokenGenerator.Result r = tg.generate(prompt, cachedPrefix, cache, slot, sampler, cfg.maxTokens(),
                tokenizer::isEndOfGeneration, tok -> {
                    String shown = stops.push(decoder.push(tok));
                    if (!shown.isEmpty() && onText != null) onText.accept(shown);
                    return !stops.stopped() && (cancelled == null || !cancelled.getAsBoolean());
                });
        StopReason reason = r.reason();
        if (stops.stopped()) {
            reason = StopReason.STOP_STRING;
        } else {
            String rest = stops.push(decoder.flush()) + stops.flush();
            if (!rest.isEmpty() && onText != null) onText.accept(rest);
        }
        return new Result(stops.text(), r.tokens(), reason, r.stats());
    }
}
