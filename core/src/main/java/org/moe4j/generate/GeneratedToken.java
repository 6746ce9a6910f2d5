package org.moe4j.generate;

/**
 * A token {@link BatchEngine} generated for a sequence.
 *
 * @param token    the token id
 * @param index    its index among the sequence's generated tokens (0 = first)
 * @param text     the text this token made final: possibly empty (an unfinished UTF-8 character, or text that
 *                 may turn out to start a stop string, is held back until it is decided)
 * @param logprob  log-probabilities, or null when the request did not ask for them
 * @param routing  the experts that computed this token's distribution, or null when not asked for
 */
public record GeneratedToken(int token, int index, String text, TokenLogprob logprob, TokenRouting routing) {
}
