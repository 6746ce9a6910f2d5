package org.moe4j.generate;

import java.util.List;

/**
 * What to generate: how many tokens, how to sample, where to stop.
 *
 * @param maxTokens   at most this many new tokens; -1 = until the context is full
 * @param sampler     sampling settings
 * @param stop        stop strings: generation ends when the output contains one (it is not returned)
 * @param batchSize   prompt tokens per forward pass
 */
public record GenerationConfig(int maxTokens, SamplerConfig sampler, List<String> stop, int batchSize) {
    public GenerationConfig {
        if (maxTokens < -1) throw new IllegalArgumentException("max tokens must be >= -1");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        stop = List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty");
        }
    }

    public static GenerationConfig defaults() {
        return new GenerationConfig(256, SamplerConfig.defaults(System.nanoTime()), List.of(), 512);
    }

    public static GenerationConfig greedy(int maxTokens) {
        return new GenerationConfig(maxTokens, SamplerConfig.greedy(), List.of(), 512);
    }

    public GenerationConfig withMaxTokens(int n) { return new GenerationConfig(n, sampler, stop, batchSize); }
    public GenerationConfig withSampler(SamplerConfig s) { return new GenerationConfig(maxTokens, s, stop, batchSize); }
    public GenerationConfig withStop(List<String> s) { return new GenerationConfig(maxTokens, sampler, s, batchSize); }
    public GenerationConfig withBatchSize(int b) { return new GenerationConfig(maxTokens, sampler, stop, b); }
}
