package org.moe4j.generate;

import java.util.List;
import org.moe4j.moe.RoutingPolicy;

/**
 * One sequence for {@link BatchEngine}: a tokenized prompt and how to continue it.
 *
 * @param prompt          token ids (including BOS if wanted); at least one, fewer than the engine's context
 * @param maxTokens       at most this many new tokens; -1 = until the sequence's context is full
 * @param sampler         sampling settings; each sequence has its own sampler and random stream
 * @param stop            stop strings: generation ends when the output contains one (it is not returned)
 * @param policy          routing policy for this sequence only (applied after the model's global ones), or null
 * @param topLogprobs     -1 = no log-probabilities; 0 = the chosen token's; n > 0 = also the n most likely tokens'
 * @param routingPerToken report, with every generated token, the experts each MoE layer selected
 * @param routingSummary  count the experts each MoE layer used over the whole sequence (prompt and output)
 */
public record SequenceRequest(int[] prompt, int maxTokens, SamplerConfig sampler, List<String> stop, RoutingPolicy policy,
                              int topLogprobs, boolean routingPerToken, boolean routingSummary) {
    public SequenceRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token (e.g. BOS) is needed");
        }
        prompt = prompt.clone();
        if (maxTokens < -1) throw new IllegalArgumentException("max tokens must be >= -1, is " + maxTokens);
        if (sampler == null) throw new IllegalArgumentException("sampler settings are required");
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty");
        }
        if (topLogprobs < -1) throw new IllegalArgumentException("top logprobs must be >= -1, is " + topLogprobs);
    }

    /** Greedy decoding of up to {@code maxTokens} tokens, nothing else asked for. */
    public static SequenceRequest greedy(int[] prompt, int maxTokens) {
        return new SequenceRequest(prompt, maxTokens, SamplerConfig.greedy(), List.of(), null, -1, false, false);
    }
}
