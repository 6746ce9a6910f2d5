package org.moe4j.tools.train;

import java.nio.file.Path;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.tensor.NumericMode;

/**
 * Held-out perplexity of an exported file as moe4j's inference computes it (quantized weights, 8-bit
 * activations: what {@code moe4j run} uses), over the same windows as {@link Trainer#evaluate}, so the cost of
 * quantization is one number next to the trainer's float result.
 */
public final class ExportCheck {
    private ExportCheck() {
    }

    public static double heldOutPerplexity(Path gguf, TokenStreams data, int threads) {
        try (Model m = ModelLoader.load(gguf, LoadOptions.defaults().withThreads(threads).withMode(NumericMode.NATIVE))) {
            int t = m.config().contextLength;
            int v = m.vocabSize();
            float[] logits = new float[t * v];
            KVCache cache = m.newCache(1, t);
            double nll = 0;
            long count = 0;
            for (int[] h : data.heldOut) {
                for (int w = 0; (w + 1) * t < h.length; w++) {
                    cache.clear(0);
                    m.forward(Batch.of(java.util.Arrays.copyOfRange(h, w * t, (w + 1) * t), 0, 0, true), cache, logits);
                    for (int i = 0; i < t; i++) {
                        float target = logits[i * v + h[w * t + i + 1]];
                        nll += Kernels.softmax(logits, i * v, v) - target;
                        count++;
                    }
                }
            }
            return Math.exp(nll / count);
        }
    }
}
