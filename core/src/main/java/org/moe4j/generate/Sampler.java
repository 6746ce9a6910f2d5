package org.moe4j.generate;

import java.util.SplittableRandom;

/**
 * Picks the next token from logits according to a {@link SamplerConfig}. Keeps its buffers between
 * calls (no allocation per token once warmed up) and its own seeded random stream.
 */
public final class Sampler {
    private final SamplerConfig cfg;
    private final SplittableRandom random;
    private int[] idx = new int[0];
    private float[] prob = new float[0];
    private long[] keys = new long[0];

    public Sampler(SamplerConfig cfg) {
        this.cfg = cfg;
        this.random = new SplittableRandom(cfg.seed());
    }

    public SamplerConfig config() {
        return cfg;
    }

    /**
     * Samples from {@code logits[off .. off+n)}; {@code recent} holds the latest tokens (for the
     * repetition penalty), {@code recentCount} of them valid. The logits may be modified.
     */
    public int sample(float[] logits, int off, int n, int[] recent, int recentCount) {
        if (cfg.repeatPenalty() != 1f && recent != null) {
            int from = Math.max(0, recentCount - cfg.repeatLastN());
            for (int i = from; i < recentCount; i++) {
                int t = recent[i];
                if (t < 0 || t >= n) continue;
                boolean seen = false;
                for (int j = from; j < i; j++) if (recent[j] == t) { seen = true; break; }
                if (seen) continue; // penalise each token once
                float l = logits[off + t];
                logits[off + t] = l > 0 ? l / cfg.repeatPenalty() : l * cfg.repeatPenalty();
            }
        }
        if (cfg.isGreedy()) {
            int best = 0;
            for (int i = 1; i < n; i++) if (logits[off + i] > logits[off + best]) best = i;
            return best;
        }
        int m = candidates(logits, off, n);
        // probabilities at temperature 1 for the filters
        float max = logits[off + idx[0]];
        double sum = 0;
        for (int i = 0; i < m; i++) {
            float p = (float) Math.exp(logits[off + idx[i]] - max);
            prob[i] = p;
            sum += p;
        }
        if (cfg.topP() < 1f) {
            double acc = 0;
            int keep = m;
            for (int i = 0; i < m; i++) {
                acc += prob[i] / sum;
                if (acc >= cfg.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            m = keep;
        }
        if (cfg.minP() > 0f) {
            float threshold = prob[0] * cfg.minP();
            int keep = 1;
            while (keep < m && prob[keep] >= threshold) keep++;
            m = keep;
        }
        // temperature, then draw
        float invT = 1f / cfg.temperature();
        double total = 0;
        for (int i = 0; i < m; i++) {
            float p = (float) Math.exp((logits[off + idx[i]] - max) * invT);
            prob[i] = p;
            total += p;
        }
        double r = random.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < m; i++) {
            acc += prob[i];
            if (r < acc) return idx[i];
        }
        return idx[m - 1];
    }

    /** Fills {@code idx} with candidate ids sorted by descending logit (the top-k, or all); returns the count. */
    private int candidates(float[] logits, int off, int n) {
        int k = cfg.topK() > 0 ? Math.min(cfg.topK(), n) : n;
        if (idx.length < n) {
            idx = new int[n];
            prob = new float[n];
            keys = new long[n];
        }
        // sortable keys: the logit's bits made to order like signed ints, inverted so that ascending keys
        // mean descending logits, in the high half; the id (ties: lowest first) in the low half
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(logits[off + i]);
            int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff;
            keys[i] = ((long) ~ordered << 32) | i;
        }
        if (k < n / 8) {
            partialSort(keys, n, k);
        } else {
            java.util.Arrays.sort(keys, 0, n);
        }
        for (int i = 0; i < k; i++) idx[i] = (int) keys[i];
        return k;
    }

    /** Moves the k smallest keys to the front, sorted (selection by a bounded max-heap). */
    private static void partialSort(long[] a, int n, int k) {
        // heapify the first k as a max-heap
        for (int i = k / 2 - 1; i >= 0; i--) siftDown(a, i, k);
        for (int i = k; i < n; i++) {
            if (a[i] < a[0]) {
                long t = a[0];
                a[0] = a[i];
                a[i] = t;
                siftDown(a, 0, k);
            }
        }
        java.util.Arrays.sort(a, 0, k);
    }

    private static void siftDown(long[] a, int i, int size) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, big = i;
            if (l < size && a[l] > a[big]) big = l;
            if (r < size && a[r] > a[big]) big = r;
            if (big == i) return;
            long t = a[i];
            a[i] = a[big];
            a[big] = t;
            i = big;
        }
    }
}
