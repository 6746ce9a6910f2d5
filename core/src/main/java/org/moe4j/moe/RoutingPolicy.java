package org.moe4j.moe;

/**
 * Changes routing decisions at run time (top-k override, top-p, masking, forcing...). Called for every
 * token at every MoE layer after the router's own rule and before the experts run; it may call
 * {@link RoutingDecision#select} or {@link RoutingDecision#selectTopK}. Must be fast and thread-safe.
 */
@FunctionalInterface
public interface RoutingPolicy {
    void apply(RoutingDecision decision);
}
