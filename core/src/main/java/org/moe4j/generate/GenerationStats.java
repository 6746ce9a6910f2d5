package org.moe4j.generate;

import java.util.Locale;

/** Timing of one generation: prompt processing and token generation, measured separately. */
public record GenerationStats(int promptTokens, long promptNanos, int generatedTokens, int decodeSteps, long generationNanos) {

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    /** Decode steps (one forward pass per new token) per second of the generation phase. */
    public double generationTokensPerSecond() {
        return generationNanos == 0 || decodeSteps == 0 ? 0 : decodeSteps * 1e9 / generationNanos;
    }

    /** The one-line summary printed after a run. */
    public String summary() {
        return String.format(Locale.ROOT, "prompt: %d tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s",
                promptTokens, promptTokensPerSecond(), generatedTokens, generationTokensPerSecond());
    }
}
