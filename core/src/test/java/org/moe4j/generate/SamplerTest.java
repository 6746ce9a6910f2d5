package org.moe4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static float[] logits() {
        return new float[]{1f, 5f, 3f, -2f, 4.5f, 0f};
    }

    @Test
    void greedyIsArgmax() {
        assertThat(new Sampler(SamplerConfig.greedy()).sample(logits(), 0, 6, null, 0)).isEqualTo(1);
    }

    @Test
    void topKOneIsArgmaxWhateverTheTemperature() {
        Sampler s = new Sampler(new SamplerConfig(5f, 1, 1f, 0f, 1f, 64, 3));
        for (int i = 0; i < 50; i++) assertThat(s.sample(logits(), 0, 6, null, 0)).isEqualTo(1);
    }

    @Test
    void topKRestrictsToTheBestK() {
        Sampler s = new Sampler(new SamplerConfig(10f, 2, 1f, 0f, 1f, 64, 5));
        for (int i = 0; i < 200; i++) assertThat(s.sample(logits(), 0, 6, null, 0)).isIn(1, 4);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // softmax of (5, 4.5, 3, ...) gives p(1) = 0.53, p(4) = 0.32: top-p 0.8 keeps exactly those two
        Sampler s = new Sampler(new SamplerConfig(1f, 0, 0.8f, 0f, 1f, 64, 9));
        for (int i = 0; i < 200; i++) assertThat(s.sample(logits(), 0, 6, null, 0)).isIn(1, 4);
    }

    @Test
    void minPDropsUnlikelyTokens() {
        Sampler s = new Sampler(new SamplerConfig(1f, 0, 1f, 0.5f, 1f, 64, 11));
        for (int i = 0; i < 200; i++) assertThat(s.sample(logits(), 0, 6, null, 0)).isIn(1, 4);
    }

    @Test
    void repetitionPenaltyDemotesRecentTokens() {
        Sampler s = new Sampler(new SamplerConfig(0f, 0, 1f, 0f, 3f, 64, 0));
        // token 1 (5.0) penalised to 1.67, so 4 (4.5) wins
        assertThat(s.sample(logits(), 0, 6, new int[]{1, 1}, 2)).isEqualTo(4);
    }

    @Test
    void sameSeedSameTokens() {
        Sampler a = new Sampler(SamplerConfig.defaults(123));
        Sampler b = new Sampler(SamplerConfig.defaults(123));
        for (int i = 0; i < 100; i++) assertThat(a.sample(logits(), 0, 6, null, 0)).isEqualTo(b.sample(logits(), 0, 6, null, 0));
    }

    @Test
    void distributionFollowsTheSoftmax() {
        Sampler s = new Sampler(new SamplerConfig(1f, 0, 1f, 0f, 1f, 64, 1));
        float[] l = {0f, (float) Math.log(3)};
        int ones = 0;
        for (int i = 0; i < 20000; i++) if (s.sample(l.clone(), 0, 2, null, 0) == 1) ones++;
        assertThat(ones / 20000.0).isBetween(0.73, 0.77);
    }
}
