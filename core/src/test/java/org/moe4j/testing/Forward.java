package org.moe4j.testing;

import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.Model;

/** The conformance batch pass: every token of a sequence in one forward pass, logits at every position. */
public final class Forward {
    private Forward() {
    }

    public static float[] batch(Model m, int[] ids) {
        KVCache cache = m.newCache(1, 128);
        float[] logits = new float[ids.length * m.vocabSize()];
        m.forward(Batch.of(ids, 0, 0, true), cache, logits);
        return logits;
    }
}
