package org.moe4j.moe.policy;

import org.moe4j.moe.RoutingDecision;

/**
 * Dynamic top-p: experts are taken in selection-score order until their cumulative probability reaches
 * {@code p}, but at least {@code min} and at most {@code max} of them. The probability of an expert is its
 * gating score divided by the sum over all experts (so sigmoid-gated routers get a distribution too).
 * {@code p >= 1} takes {@code max} experts (all by default), so it equals top-k with k = max exactly rather
 * than stopping early when float rounding lets a partial sum reach 1.
 *
 * @param max the largest count; 0 means every expert of the layer
 */
public record TopPPolicy(double p, int min, int max, LayerSet layers) implements ScopedPolicy {
    public TopPPolicy {
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], is " + p);
        if (min < 1) throw new IllegalArgumentException("top-p min must be >= 1, is " + min);
        if (max != 0 && max < min) throw new IllegalArgumentException("top-p max " + max + " is below min " + min);
    }

    @Override
    public void apply(RoutingDecision d) {
        if (!layers.contains(d.layer())) return;
        int n = d.expertCount();
        int hi = max == 0 ? n : Math.min(max, n);
        int lo = Math.min(min, hi);
        // rank the candidates with the layer's own rule (expert groups, selection bias), then cut the ranking
        d.selectTopK(hi);
        if (p >= 1) return;
        double total = 0;
        for (int e = 0; e < n; e++) total += d.probability(e);
        double target = p * total;
        double acc = 0;
        int take = d.count();
        for (int j = 0; j < d.count(); j++) {
            acc += d.probability(d.expert(j));
            if (acc >= target) {
                take = j + 1;
                break;
            }
        }
        take = Math.max(lo, take);
        if (take < d.count()) d.selectTopK(take);
    }

    @Override
    public String toString() {
        return "top-p=" + p + ":min=" + min + ":max=" + max + layers.suffix();
    }
}
