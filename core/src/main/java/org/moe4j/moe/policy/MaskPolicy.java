package org.moe4j.moe.policy;

import org.moe4j.moe.RoutingDecision;

/**
 * Never routes to the listed experts: when the selection contains one, the layer's selection rule runs
 * again with the same count over the remaining experts. A selection without masked experts is left as it is.
 */
public final class MaskPolicy extends ExpertSetPolicy {
    public MaskPolicy(int[] experts, LayerSet layers) {
        super("mask", experts, layers);
    }

    @Override
    public void apply(RoutingDecision d) {
        if (!layers.contains(d.layer())) return;
        boolean[] masked = experts.flagsFor(d);
        if (experts.size() >= d.expertCount()) {
            throw new IllegalArgumentException("masking every expert of layer " + d.layer() + " leaves nothing to route to");
        }
        for (int j = 0; j < d.count(); j++) {
            if (masked[d.expert(j)]) {
                d.selectTopK(d.count(), masked);
                return;
            }
        }
    }
}
