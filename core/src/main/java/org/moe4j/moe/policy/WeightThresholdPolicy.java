package org.moe4j.moe.policy;

import java.util.function.IntPredicate;
import org.moe4j.moe.GatingFunction;
import org.moe4j.moe.RoutingDecision;

/**
 * Drops selected experts whose normalised weight (weight / sum of the selected weights) is below
 * {@code t}, and renormalises: the kept experts carry the total weight the full selection had. The best
 * expert is always kept. Layers whose rule normalises anyway (renormalised softmax, gpt-oss) get their
 * weights from that rule; the others (e.g. olmoe, qwen2moe) are rescaled here.
 */
public record WeightThresholdPolicy(float t, LayerSet layers) implements ScopedPolicy {
    private static final ThreadLocal<int[]> KEPT = ThreadLocal.withInitial(() -> new int[64]);

    public WeightThresholdPolicy {
        if (!(t >= 0 && t < 1)) throw new IllegalArgumentException("weight threshold must be in [0, 1), is " + t);
    }

    @Override
    public void apply(RoutingDecision d) {
        if (!layers.contains(d.layer())) return;
        dropBelow(d, t, e -> true);
    }

    /**
     * Drops the selected experts that {@code droppable} accepts and whose normalised weight is below
     * {@code t}, renormalising as described above (the best expert always stays); returns how many were
     * dropped. Shared with policies that drop only some experts (e.g. those an expert cache does not hold).
     */
    public static int dropBelow(RoutingDecision d, float t, IntPredicate droppable) {
        int k = d.count();
        if (k <= 1) return 0;
        double sum = 0;
        int best = 0;
        for (int j = 0; j < k; j++) {
            sum += d.weight(j);
            if (d.weight(j) > d.weight(best)) best = j;
        }
        if (!(sum > 0)) return 0;
        int[] kept = KEPT.get();
        if (kept.length < k) {
            kept = new int[k];
            KEPT.set(kept);
        }
        int n = 0;
        for (int j = 0; j < k; j++) {
            if (j == best || d.weight(j) / sum >= t || !droppable.test(d.expert(j))) kept[n++] = d.expert(j);
        }
        if (n == k) return 0; // nothing dropped: leave the decision untouched, bit for bit
        d.select(kept, n);
        if (!normalisedByLayer(d)) {
            double after = 0;
            for (int j = 0; j < n; j++) after += d.weight(j);
            if (after > 0) d.scaleWeights((float) (sum / after));
        }
        return k - n;
    }

    private static boolean normalisedByLayer(RoutingDecision d) {
        return d.routerConfig().normalize() || d.routerConfig().gating() == GatingFunction.SOFTMAX_SELECTED;
    }

    @Override
    public String toString() {
        return "threshold=" + t + layers.suffix();
    }
}
