package org.moe4j.generate;

import java.util.function.IntPredicate;
import org.moe4j.model.Batch;
import org.moe4j.model.ContextOverflowException;
import org.moe4j.model.KVCache;
import org.moe4j.model.Model;

/**
 * The token-level generation loop for one sequence: the prompt in batches, then one forward pass per
 * new token, sampling each. Text concerns (detokenizing, stop strings) live in {@link TextGenerator}.
 */
public final class TokenGenerator {

    /** Receives each generated token; returns false to stop. */
    @FunctionalInterface
    public interface TokenSink {
        boolean accept(int token);
    }

    public record Result(int[] tokens, StopReason reason, GenerationStats stats) {
    }

    private final Model model;
    private final int batchSize;

    public TokenGenerator(Model model, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * Generates after {@code prompt} in slot {@code slot} of {@code cache} (cleared first).
     *
     * @param maxTokens     at most this many new tokens (-1: until the context is full)
     * @param endOfText     tokens that end generation (not passed to the sink)
     */
    public Result generate(int[] prompt, KVCache cache, int slot, Sampler sampler, int maxTokens,
                           IntPredicate endOfText, TokenSink sink) {
        return generate(prompt, 0, cache, slot, sampler, maxTokens, endOfText, sink);
    }

    /**
     * Like {@link #generate(int[], KVCache, int, Sampler, int, IntPredicate, TokenSink)}, but the first
     * {@code cachedPrefix} prompt tokens are already in the slot at positions {@code 0..cachedPrefix-1}
     * (a chat reusing the previous turns); only the rest of the prompt is evaluated. At least the last
     * prompt token is always evaluated, to get the logits of the first new token.
     */
    public Result generate(int[] prompt, int cachedPrefix, KVCache cache, int slot, Sampler sampler, int maxTokens,
                           IntPredicate endOfText, TokenSink sink) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token (e.g. BOS) is needed");
        }
        int ctx = cache.contextLength();
        if (prompt.length >= ctx) {
            throw new ContextOverflowException("the prompt has " + prompt.length + " tokens but the context holds " + ctx
                    + "; use a larger context (--ctx) or a shorter prompt");
        }
        int reuse = Math.max(0, Math.min(Math.min(cachedPrefix, prompt.length - 1), cache.length(slot)));
        cache.truncate(slot, reuse);
        int vocab = model.vocabSize();
        float[] logits = new float[vocab];
        int limit = maxTokens < 0 ? ctx - prompt.length : Math.min(maxTokens, ctx - prompt.length);
        int[] history = new int[prompt.length + Math.max(0, limit)];
        System.arraycopy(prompt, 0, history, 0, prompt.length);
        int count = prompt.length;

        long t0 = System.nanoTime();
        Batch batch = new Batch(Math.min(batchSize, prompt.length));
        for (int start = reuse; start < prompt.length; start += batchSize) {
            int end = Math.min(prompt.length, start + batchSize);
            batch.clear();
            for (int i = start; i < end; i++) batch.add(prompt[i], i, slot, i == prompt.length - 1);
            model.forward(batch, cache, logits);
        }
        long promptNanos = System.nanoTime() - t0;

        long t1 = System.nanoTime();
        int generated = 0;
        int steps = 0;
        StopReason reason = null;
        Batch one = new Batch(1);
        while (reason == null) {
            if (generated >= limit) {
                reason = maxTokens >= 0 && generated >= maxTokens ? StopReason.MAX_TOKENS : StopReason.CONTEXT_FULL;
                break;
            }
            checkFinite(logits);
            int next = sampler.sample(logits, 0, vocab, history, count);
            if (endOfText.test(next)) {
                reason = StopReason.END_OF_TEXT;
                break;
            }
            history[count++] = next;
            generated++;
            if (!sink.accept(next)) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (generated >= limit) continue;
            one.clear();
            one.add(next, count - 1, slot, true);
            model.forward(one, cache, logits);
            steps++;
        }
        long genNanos = System.nanoTime() - t1;
        int[] out = java.util.Arrays.copyOfRange(history, prompt.length, count);
        return new Result(out, reason, new GenerationStats(prompt.length - reuse, promptNanos, generated, steps, genNanos));
    }

    private static void checkFinite(float[] logits) {
        for (float f : logits) {
            if (Float.isNaN(f)) {
                throw new IllegalStateException("the model produced NaN logits (numerical overflow or a corrupt weight)");
            }
        }
    }
}
