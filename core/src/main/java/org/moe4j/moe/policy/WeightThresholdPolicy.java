package org.moe4j.moe.policy;

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
        int k = d.count();
        if (k <= 1) return;
        double sum = 0;
        int best = 0;
        for (int j = 0; j < k; j++) {
            sum += d.weight(j);
            if (d.weight(j) > d.weight(best)) best = j;
        }
        if (!(sum > 0)) return;
        int[] kept = KEPT.get();
        if (kept.length < k) {
            kept = new int[k];
            KEPT.set(kept);
        }
        int n = 0;
        for (int j = 0; j < k; j++) {
            if (d.weight(j) / sum >= t) kept[n++] = d.expert(j);
        }
        if (n == k) return; // nothing dropped: leave the decision untouched, bit for bit
        if (n == 0) kept[n++] = d.expert(best);
        d.select(kept, n);
        if (!normalisedByLayer(d)) {
            double after = 0;
            for (int j = 0; j < n; j++) after += d.weight(j);
            if (after > 0) d.scaleWeights((float) (sum / after));
        }
    }

    private static boolean normalisedByLayer(RoutingDecision d) {
        return d.routerConfig().normalize() || d.routerConfig().gating() == GatingFunction.SOFTMAX_SELECTED;
    }

    @Override
    public String toString() {
        return "threshold=" + t + layers.suffix();
    }
}
