package org.moe4j.generate;

/**
 * How a sequence of {@link BatchEngine} ended.
 *
 * @param text            the whole generated text (without a stop string that ended it)
 * @param tail            the end of {@code text} that was not yet passed on with a token (text held back
 *                        until generation ended); stream it after the last token
 * @param tokens          the generated token ids (an end-of-generation token is not included)
 * @param reason          why generation ended
 * @param promptTokens    prompt length in tokens
 * @param routing         expert counts over the sequence, or null when not asked for
 * @param queuedNanos     time between submission and the first forward pass that included the sequence
 * @param firstTokenNanos time between submission and the first generated token (0 if none)
 * @param totalNanos      time between submission and the end
 */
public record SequenceResult(String text, String tail, int[] tokens, StopReason reason, int promptTokens,
                             RoutingSummary routing, long queuedNanos, long firstTokenNanos, long totalNanos) {
    public int generatedTokens() {
        return tokens.length;
    }
}
