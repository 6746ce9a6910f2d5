package org.moe4j.moe;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hook every routing decision of a model flows past: first the global policies in the order they
 * were added, then the policy of the token's sequence slot (per-request routing control), then the
 * observers. With nothing registered the decision is exactly the router's.
 */
public final class RoutingHooks {
    private final List<RoutingPolicy> policies = new CopyOnWriteArrayList<>();
    private final List<RoutingObserver> observers = new CopyOnWriteArrayList<>();
    private final Map<Integer, RoutingPolicy> slotPolicies = new ConcurrentHashMap<>();

    public RoutingHooks addPolicy(RoutingPolicy p) {
        policies.add(p);
        return this;
    }

    public boolean removePolicy(RoutingPolicy p) {
        return policies.remove(p);
    }

    public RoutingHooks addObserver(RoutingObserver o) {
        observers.add(o);
        return this;
    }

    public boolean removeObserver(RoutingObserver o) {
        return observers.remove(o);
    }

    /** Sets (or with null clears) the policy applied to tokens of one sequence slot. */
    public void setSlotPolicy(int slot, RoutingPolicy p) {
        if (p == null) slotPolicies.remove(slot);
        else slotPolicies.put(slot, p);
    }

    public void clear() {
        policies.clear();
        observers.clear();
        slotPolicies.clear();
    }

    void apply(RoutingDecision d) {
        for (RoutingPolicy p : policies) {
            p.apply(d);
        }
        if (!slotPolicies.isEmpty()) {
            RoutingPolicy sp = slotPolicies.get(d.slot());
            if (sp != null) sp.apply(d);
        }
        for (RoutingObserver o : observers) {
            o.onRouting(d);
        }
    }

    void layerDone(int layer, RoutingDecision[] decisions, int n) {
        for (RoutingObserver o : observers) {
            o.onLayerRouted(layer, decisions, n);
        }
    }
}
