package org.moe4j.server;

import java.util.List;
import org.moe4j.generate.SamplerConfig;
import org.moe4j.moe.policy.CompositePolicy;

/**
 * A validated generation request of either endpoint, in the engine's terms.
 *
 * @param renderedPrompt the prompt text (chat: as the template rendered it)
 * @param prompt         its token ids
 * @param maxTokens      new tokens at most; -1 = until the context is full
 * @param stop           the request's stop strings (chat adds the template's turn ends to them)
 * @param logprobs       -1 = none; else how many top alternatives to report with each token
 * @param includeUsage   streaming: send the separate usage chunk of {@code stream_options.include_usage}
 * @param policy         the routing policy of this request (the server's default when it names none)
 * @param trace          report routing: per token in stream chunks and a summary at the end
 */
public record GenerationRequest(Endpoint endpoint, String model, String renderedPrompt, int[] prompt, int maxTokens,
                                SamplerConfig sampler, List<String> stop, int logprobs, boolean stream, boolean includeUsage,
                                CompositePolicy policy, boolean trace) {
}
