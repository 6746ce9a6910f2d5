package org.moe4j.cli.options;

import java.util.ArrayList;
import java.util.List;
import org.moe4j.generate.GenerationConfig;
import org.moe4j.generate.SamplerConfig;
import picocli.CommandLine.Option;

/** Sampling and stopping flags shared by {@code run} and {@code chat}. */
public final class SamplingOptions {
    @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", description = "Tokens to generate at most; -1 = until the context is full (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temp", defaultValue = "0.8", description = "Temperature; 0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Top-k; 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Top-p (nucleus); 1 = off (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Min-p; 0 = off (default: ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty; 1 = off (default: ${DEFAULT-VALUE})")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "Tokens the repetition penalty looks back (default: ${DEFAULT-VALUE})")
    int repeatLastN;

    @Option(names = {"-s", "--seed"}, description = "Random seed (default: random; printed in the summary)")
    Long seed;

    @Option(names = "--greedy", description = "Greedy decoding (same as --temp 0)")
    boolean greedy;

    @Option(names = "--stop", description = "Stop when the output contains this text (repeatable)")
    List<String> stop = new ArrayList<>();

    @Option(names = {"-b", "--batch-size"}, defaultValue = "512", description = "Prompt tokens per forward pass (default: ${DEFAULT-VALUE})")
    int batchSize;

    public long effectiveSeed() {
        if (seed == null) seed = System.nanoTime() & 0xffffffffL;
        return seed;
    }

    public GenerationConfig toConfig() {
        SamplerConfig s = new SamplerConfig(greedy ? 0f : temperature, topK, topP, minP, repeatPenalty, repeatLastN, effectiveSeed());
        return new GenerationConfig(maxTokens, s, stop, batchSize);
    }
}
