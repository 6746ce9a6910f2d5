package org.moe4j.moe.policy;

import org.moe4j.moe.RoutingDecision;

/**
 * Selects {@code k} experts instead of the trained number, by the layer's own selection rule (groups,
 * selection bias) and weighting rule. With {@code k} equal to the trained number the decision is
 * recomputed from the same scores and comes out bit-identical.
 */
public record TopKPolicy(int k, LayerSet layers) implements ScopedPolicy {
    public TopKPolicy {
        if (k < 1) throw new IllegalArgumentException("top-k must be >= 1, is " + k);
    }

    @Override
    public void apply(RoutingDecision d) {
        if (!layers.contains(d.layer())) return;
        d.selectTopK(Math.min(k, d.expertCount()));
    }

    @Override
    public String toString() {
        return "top-k=" + k + layers.suffix();
    }
}
