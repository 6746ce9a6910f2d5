package org.moe4j.model;

import org.junit.jupiter.api.Test;
import org.moe4j.testing.Manifest;
import org.moe4j.tensor.NumericMode;

class QuickConformanceTest {
    @Test
    void all() {
        for (var c : Manifest.cases()) {
            if (c.isQuantized()) continue;
            try (Model m = ModelLoader.load(c.modelFile(), new LoadOptions(1, NumericMode.NATIVE))) {
                int[] ids = c.tokenIds();
                KVCache cache = m.newCache(1, 128);
                float[] logits = new float[ids.length * m.vocabSize()];
                m.forward(Batch.of(ids, 0, 0, true), cache, logits);
                float[] gold = c.f32("logits_batch");
                double max = 0;
                for (int i = 0; i < gold.length; i++) max = Math.max(max, Math.abs(gold[i] - logits[i]));
                System.out.println(c.name() + " max abs diff " + max);
            } catch (Exception e) {
                System.out.println(c.name() + " FAILED " + e);
            }
        }
    }
}
