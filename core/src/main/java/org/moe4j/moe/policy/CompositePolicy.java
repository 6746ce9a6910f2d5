package org.moe4j.moe.policy;

import java.util.List;
import java.util.stream.Collectors;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingPolicy;

/** Several policies applied one after another, in list order. */
public record CompositePolicy(List<RoutingPolicy> policies) implements RoutingPolicy {
    public CompositePolicy {
        policies = List.copyOf(policies);
    }

    @Override
    public void apply(RoutingDecision d) {
        for (RoutingPolicy p : policies) p.apply(d);
    }

    public boolean isEmpty() {
        return policies.isEmpty();
    }

    @Override
    public String toString() {
        return policies.isEmpty() ? "none" : policies.stream().map(Object::toString).collect(Collectors.joining(" "));
    }
}
