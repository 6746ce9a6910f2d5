package org.moe4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.tensor.NumericMode;
import org.moe4j.testing.Manifest;

/**
 * The property continuous batching rests on: a token's logits depend only on its own sequence, never on
 * which other tokens share the forward pass or how its prompt was chunked. Checked bit for bit on every
 * architecture (attention variants: GQA, q/k norms, MLA, sliding window with sinks; routing variants; shared
 * experts) and on quantized files in both numeric modes.
 */
class BatchInvarianceTest {

    @ParameterizedTest
    @ValueSource(strings = {"qwen3moe", "llama-moe", "qwen2moe", "olmoe", "granitemoe", "deepseek2-v3", "deepseek2-v2lite",
            "gpt-oss", "gpt-oss.MXFP4_MOE", "qwen3moe.Q4_0", "llama-moe.Q4_K_M", "llama-dense"})
    void logitsOfASequenceAreTheSameAloneAndBatchedWithOthers(String name) {
        for (NumericMode mode : NumericMode.values()) {
            try (Model m = ModelLoader.load(Manifest.get(name).modelFile(), LoadOptions.defaults().withThreads(2).withMode(mode))) {
                SplittableRandom rnd = new SplittableRandom(7);
                int vocab = m.vocabSize();
                int[] a = randomTokens(rnd, 19, vocab);
                int[] b = randomTokens(rnd, 33, vocab);
                int[] c = randomTokens(rnd, 5, vocab);
                int decode = 6;

                // alone: the whole prompt in one pass, then one token per pass
                float[][] alone = run(m, new int[][]{a}, new int[]{a.length}, decode, 1)[0];
                // batched: three sequences in one cache, prompts in chunks of different sizes sharing each pass,
                // sequence 'a' in slot 2 so that slot indices differ too
                float[][] mixed = run(m, new int[][]{b, c, a}, new int[]{7, 2, 4}, decode, 3)[2];
                for (int i = 0; i < alone.length; i++) {
                    assertThat(Arrays.equals(alone[i], mixed[i])).as(name + " " + mode + " step " + i).isTrue();
                }
            }
        }
    }

    private static int[] randomTokens(SplittableRandom rnd, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rnd.nextInt(vocab);
        return t;
    }

    /**
     * Evaluates the prompts together, {@code chunk[s]} prompt tokens of sequence s per pass, then
     * {@code decode} passes feeding every sequence a fixed continuation token. Returns, per sequence, the
     * logits at the last prompt token and at each decode step.
     */
    private static float[][][] run(Model m, int[][] prompts, int[] chunk, int decode, int slots) {
        int vocab = m.vocabSize();
        KVCache cache = m.newCache(slots, 64);
        int n = prompts.length;
        float[][][] out = new float[n][decode + 1][];
        int[] done = new int[n];
        Batch batch = new Batch(64);
        float[] logits = new float[n * vocab];
        int[] rowOf = new int[n];
        boolean[] endsNow = new boolean[n];
        boolean pending = true;
        while (pending) {
            pending = false;
            batch.clear();
            int rows = 0;
            for (int s = 0; s < n; s++) {
                int take = Math.min(chunk[s], prompts[s].length - done[s]);
                endsNow[s] = false;
                for (int i = 0; i < take; i++) {
                    int pos = done[s] + i;
                    boolean last = pos == prompts[s].length - 1;
                    batch.add(prompts[s][pos], pos, slotOf(s, n, slots), last);
                    if (last) {
                        rowOf[s] = rows++;
                        endsNow[s] = true;
                    }
                }
                done[s] += take;
                if (done[s] < prompts[s].length) pending = true;
            }
            if (batch.size() == 0) break;
            m.forward(batch, cache, logits);
            for (int s = 0; s < n; s++) {
                if (endsNow[s]) out[s][0] = Arrays.copyOfRange(logits, rowOf[s] * vocab, (rowOf[s] + 1) * vocab);
            }
        }
        for (int step = 1; step <= decode; step++) {
            batch.clear();
            for (int s = 0; s < n; s++) {
                batch.add((step * 31 + 17) % vocab, prompts[s].length + step - 1, slotOf(s, n, slots), true);
            }
            m.forward(batch, cache, logits);
            for (int s = 0; s < n; s++) out[s][step] = Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab);
        }
        return out;
    }

    private static int slotOf(int s, int n, int slots) {
        return slots == 1 ? 0 : s;
    }
}
