package org.moe4j.conformance;

import java.util.ArrayList;
import java.util.List;
import org.moe4j.model.Batch;
import org.moe4j.model.ForwardListener;
import org.moe4j.model.KVCache;
import org.moe4j.model.Model;
import org.moe4j.tensor.VectorOps;

/** Drives a model the way the reference's golden runs did: batch, one token at a time, greedy. */
final class ModelRunner {
    private ModelRunner() {
    }

    /** Logits of every position, the whole sequence in one forward pass. */
    static float[] batch(Model m, int[] ids) {
        KVCache cache = m.newCache(1, 128);
        float[] logits = new float[ids.length * m.vocabSize()];
        m.forward(Batch.of(ids, 0, 0, true), cache, logits);
        return logits;
    }

    /** Logits of every position, one forward pass per token reusing the cache. */
    static float[] sequential(Model m, int[] ids) {
        KVCache cache = m.newCache(1, 128);
        int v = m.vocabSize();
        float[] all = new float[ids.length * v];
        float[] one = new float[v];
        for (int t = 0; t < ids.length; t++) {
            m.forward(Batch.of(new int[]{ids[t]}, t, 0, true), cache, one);
            System.arraycopy(one, 0, all, t * v, v);
        }
        return all;
    }

    record Greedy(int[] tokens, float[] logits) {
    }

    /** The prompt in one pass, then {@code steps} argmax tokens one at a time. */
    static Greedy greedy(Model m, int[] prompt, int steps) {
        KVCache cache = m.newCache(1, 128);
        int v = m.vocabSize();
        float[] logits = new float[v];
        float[] rows = new float[steps * v];
        int[] out = new int[steps];
        m.forward(Batch.of(prompt, 0, 0, false), cache, logits);
        int pos = prompt.length;
        for (int s = 0; s < steps; s++) {
            System.arraycopy(logits, 0, rows, s * v, v);
            out[s] = VectorOps.argmax(logits, 0, v);
            m.forward(Batch.of(new int[]{out[s]}, pos++, 0, true), cache, logits);
        }
        return new Greedy(out, rows);
    }

    /** The residual stream after every block, {@code [n_layer, n_tokens, n_embd]}. */
    static float[] hidden(Model m, int[] ids) {
        List<float[]> layers = new ArrayList<>();
        ForwardListener l = new ForwardListener() {
            @Override
            public void onBlockOutput(int layer, float[] residual, int n, int width) {
                layers.add(java.util.Arrays.copyOf(residual, n * width));
            }
        };
        m.addListener(l);
        try {
            batch(m, ids);
        } finally {
            m.removeListener(l);
        }
        int per = layers.get(0).length;
        float[] all = new float[layers.size() * per];
        for (int i = 0; i < layers.size(); i++) System.arraycopy(layers.get(i), 0, all, i * per, per);
        return all;
    }
}
