package org.moe4j.moe;

/**
 * Sees every final routing decision (after all policies): tracing, statistics, cache prediction.
 * Called on the forward-pass thread in batch order; must not modify the decision.
 */
@FunctionalInterface
public interface RoutingObserver {
    void onRouting(RoutingDecision decision);

    /** Called once after all decisions of a layer for a batch, before the experts run. */
    default void onLayerRouted(int layer, RoutingDecision[] decisions, int n) {
    }
}
