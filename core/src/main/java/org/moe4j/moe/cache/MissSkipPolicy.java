package org.moe4j.moe.cache;

import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingPolicy;
import org.moe4j.moe.policy.WeightThresholdPolicy;

/**
 * Skipping: a selected expert that is not resident when its token is routed, and whose normalised
 * weight is below the threshold, is dropped and the remaining weights renormalised (as the
 * {@code threshold=} routing policy does). It acts through the routing decision, so traces and
 * observers see the selection that actually ran.
 */
final class MissSkipPolicy implements RoutingPolicy {
    private final ExpertCache cache;
    private final float threshold;

    MissSkipPolicy(ExpertCache cache, float threshold) {
        this.cache = cache;
        this.threshold = threshold;
    }

    @Override
    public void apply(RoutingDecision d) {
        int layer = d.layer();
        int dropped = WeightThresholdPolicy.dropBelow(d, threshold, e -> !cache.isResident(layer, e));
        if (dropped > 0) cache.countSkipped(layer, dropped);
    }

    @Override
    public String toString() {
        return "skip-missed-below=" + threshold;
    }
}
