package org.moe4j.generate;

/**
 * Sampling settings. Applied in the reference engine's order: repetition penalty, top-k, top-p, min-p
 * (the last three on probabilities at temperature 1), then temperature, then a draw.
 * A temperature of 0 means greedy decoding (argmax), whatever the other settings.
 *
 * @param temperature      0 = greedy
 * @param topK             keep the k most likely tokens (0 = off)
 * @param topP             keep the smallest set whose probability reaches p (1 = off)
 * @param minP             drop tokens less likely than minP times the most likely (0 = off)
 * @param repeatPenalty    divide positive / multiply negative logits of recent tokens (1 = off)
 * @param repeatLastN      how many recent tokens the penalty looks at
 * @param seed             random seed; the same seed and inputs give the same tokens
 */
public record SamplerConfig(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN,
                            long seed) {
    public SamplerConfig {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, is " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, is " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], is " + topP);
        if (!(minP >= 0 && minP < 1)) throw new IllegalArgumentException("min-p must be in [0, 1), is " + minP);
        if (!(repeatPenalty > 0) || Float.isInfinite(repeatPenalty)) throw new IllegalArgumentException("repeat penalty must be > 0, is " + repeatPenalty);
        if (repeatLastN < 0) throw new IllegalArgumentException("repeat-last-n must be >= 0");
    }

    public static SamplerConfig greedy() {
        return new SamplerConfig(0f, 0, 1f, 0f, 1f, 64, 0);
    }

    /** The reference engine's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalty. */
    public static SamplerConfig defaults(long seed) {
        return new SamplerConfig(0.8f, 40, 0.95f, 0.05f, 1f, 64, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public SamplerConfig withTemperature(float t) { return new SamplerConfig(t, topK, topP, minP, repeatPenalty, repeatLastN, seed); }
    public SamplerConfig withTopK(int k) { return new SamplerConfig(temperature, k, topP, minP, repeatPenalty, repeatLastN, seed); }
    public SamplerConfig withTopP(float p) { return new SamplerConfig(temperature, topK, p, minP, repeatPenalty, repeatLastN, seed); }
    public SamplerConfig withMinP(float p) { return new SamplerConfig(temperature, topK, topP, p, repeatPenalty, repeatLastN, seed); }
    public SamplerConfig withRepeatPenalty(float r) { return new SamplerConfig(temperature, topK, topP, minP, r, repeatLastN, seed); }
    public SamplerConfig withSeed(long s) { return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s); }
}
