package org.moe4j.moe.policy;

import org.moe4j.moe.RoutingPolicy;

/** A routing policy that acts on some blocks only. */
public sealed interface ScopedPolicy extends RoutingPolicy
        permits TopKPolicy, TopPPolicy, WeightThresholdPolicy, ExpertSetPolicy {
    LayerSet layers();
}
