package org.moe4j.moe.cache;

/**
 * An online estimate of Belady's choice: evicts the resident expert whose next use is expected furthest
 * away, in layer steps. A token visits the MoE layers in order and then the next token starts again at
 * the first, so an expert of layer {@code b} can next be needed after
 * {@code d = ((b - current - 1) mod L) + 1} steps (the layer just served comes last, the next one first),
 * and is then selected with probability {@code p}, estimated from its layer's past steps with a decayed
 * count (halving every {@code halfLife} steps of that layer, about one per token). If each of the layer's
 * steps selects it independently with probability {@code p}, it waits {@code (1 - p) / p} whole tokens
 * in expectation before the selecting one, so
 *
 * <pre>  expected next use = d + L * (1 - p) / p</pre>
 *
 * An expert never selected in the window ({@code p = 0}) goes first; ties go to the lower {@code p},
 * then to the least recently used. Counts survive eviction (as LFU's), so a returning expert brings its
 * history. With one MoE layer this is a decayed LFU.
 *
 * <p>When the cache prefetches, it also tells the policy the cross-layer gate's prediction of a layer's
 * next step ({@link #predicted}); until that step, its experts' chance of being selected there is not
 * {@code p} but how often predicted (or unpredicted) experts of the layer were selected so far, learned
 * from the steps that followed earlier predictions.
 *
 * <p>The current layer is that of the last access; a layer's step begins at its first access after an
 * access of another layer (or when a key of the step repeats, which with one MoE layer marks the next
 * token).
 */
public final class NextUsePolicy extends RankingPolicy {
    private final double halfLifeTokens;
    private final double decay;
    private final int layers;
    /** Position of each block in the MoE layer order, -1 for blocks without experts. */
    private final int[] order;
    private final int[] moe;
    /** Steps each layer has had, and their decayed count (the denominator of {@code p}). */
    private final long[] steps;
    private final double[] window;
    /** Each key's decayed selection count as of the step {@link #countedAt}. */
    private final double[] count;
    private final long[] countedAt;
    private int current = -1;
    /** Gate predictions: the keys predicted for a layer's next step, whether that step is still ahead, or under way (scored when it ends). */
    private final boolean[] hinted;
    private final boolean[] hintAhead;
    private final boolean[] hintScoring;
    /** Per layer, decayed counts of how often a predicted, and an unpredicted, expert was then selected. */
    private final double[] predictedSelected, predictedSeen, otherSelected, otherSeen;

    public NextUsePolicy(ExpertKeys keys, double halfLifeTokens) {
        super(keys);
        if (!(halfLifeTokens > 0)) throw new IllegalArgumentException("next-use half-life must be > 0, is " + halfLifeTokens);
        this.halfLifeTokens = halfLifeTokens;
        this.decay = Math.pow(0.5, 1 / halfLifeTokens);
        int[] moe = keys.moeBlocks();
        this.moe = moe;
        this.layers = Math.max(1, moe.length);
        this.order = new int[keys.blocks()];
        java.util.Arrays.fill(order, -1);
        for (int i = 0; i < moe.length; i++) order[moe[i]] = i;
        this.steps = new long[layers];
        this.window = new double[layers];
        this.count = new double[keys.size()];
        this.countedAt = new long[keys.size()];
        java.util.Arrays.fill(countedAt, -1);
        this.hinted = new boolean[keys.size()];
        this.hintAhead = new boolean[layers];
        this.hintScoring = new boolean[layers];
        this.predictedSelected = new double[layers];
        this.predictedSeen = new double[layers];
        this.otherSelected = new double[layers];
        this.otherSeen = new double[layers];
        // priors worth one step: a prediction right half of the time, an unpredicted expert rarely selected
        java.util.Arrays.fill(predictedSelected, 0.5);
        java.util.Arrays.fill(predictedSeen, 1);
        java.util.Arrays.fill(otherSelected, 0.1);
        java.util.Arrays.fill(otherSeen, 1);
    }

    @Override
    public String name() {
        return "next-use:half-life=" + CachePolicies.number(halfLifeTokens);
    }

    @Override
    public void accessed(int key, long time) {
        int layer = layerOf(key);
        if (layer != current || countedAt[key] == steps[layer]) {
            if (current >= 0) scoreHint(current);
            steps[layer]++;
            window[layer] = window[layer] * decay + 1;
            current = layer;
            hintScoring[layer] = hintAhead[layer];
            hintAhead[layer] = false;
        }
        count[key] = decayed(key, layer) + 1;
        countedAt[key] = steps[layer];
        super.accessed(key, time);
    }

    @Override
    public void predicted(int block, int[] predictedKeys, int count) {
        if (block < 0 || block >= order.length || order[block] < 0) return;
        int layer = order[block];
        scoreHint(layer);
        int first = keys.firstKey(block), n = keys.experts(block);
        for (int k = first; k < first + n; k++) hinted[k] = false;
        for (int i = 0; i < count; i++) hinted[predictedKeys[i]] = true;
        hintAhead[layer] = true;
    }

    /** Once a predicted step has ended: how many predicted and unpredicted experts it selected. */
    private void scoreHint(int layer) {
        if (!hintScoring[layer]) return;
        hintScoring[layer] = false;
        int block = moe.length == 0 ? 0 : moe[layer];
        int first = keys.firstKey(block), n = keys.experts(block);
        double ps = 0, pn = 0, os = 0, on = 0;
        for (int k = first; k < first + n; k++) {
            boolean selected = countedAt[k] == steps[layer];
            if (hinted[k]) {
                pn++;
                if (selected) ps++;
            } else {
                on++;
                if (selected) os++;
            }
            hinted[k] = false;
        }
        predictedSelected[layer] = predictedSelected[layer] * decay + ps;
        predictedSeen[layer] = predictedSeen[layer] * decay + pn;
        otherSelected[layer] = otherSelected[layer] * decay + os;
        otherSeen[layer] = otherSeen[layer] * decay + on;
    }

    private int layerOf(int key) {
        int l = order[keys.blockOf(key)];
        return l < 0 ? 0 : l;
    }

    private double decayed(int key, int layer) {
        return countedAt[key] < 0 ? 0 : count[key] * Math.pow(decay, steps[layer] - countedAt[key]);
    }

    /** Estimated probability that the next step of the key's layer selects it. */
    double probability(int key) {
        int layer = layerOf(key);
        return window[layer] == 0 ? 0 : Math.min(1, decayed(key, layer) / window[layer]);
    }

    /**
     * Expected layer steps from now until the key is next accessed (infinite when never selected in the
     * window). When the gate has predicted its layer's next step, the chance of that first step is how
     * often the layer's predicted (or unpredicted) experts were selected, instead of {@code p}; after it
     * the key waits {@code L / p} steps in expectation: {@code d + (1 - q) L / p}.
     */
    double expectedNextUse(int key) {
        int layer = layerOf(key);
        double p = probability(key);
        int distance = Math.floorMod(layer - current - 1, layers) + 1;
        if (hintAhead[layer]) {
            double q = hinted[key] ? predictedSelected[layer] / predictedSeen[layer] : otherSelected[layer] / otherSeen[layer];
            if (q == 0 && p == 0) return Double.POSITIVE_INFINITY;
            // an expert not selected in the window but predicted now: rank it by its chance of that first step alone
            return distance + (1 - q) * layers / Math.max(p, 1e-9);
        }
        if (p == 0) return Double.POSITIVE_INFINITY;
        return distance + layers * (1 - p) / p;
    }

    @Override
    boolean evictsBefore(int a, int b, long time) {
        double ea = expectedNextUse(a), eb = expectedNextUse(b);
        if (ea != eb) return ea > eb;
        double pa = probability(a), pb = probability(b);
        if (pa != pb) return pa < pb;
        if (lastUse[a] != lastUse[b]) return lastUse[a] < lastUse[b];
        return a < b;
    }
}
