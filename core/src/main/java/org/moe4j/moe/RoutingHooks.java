package org.moe4j.moe;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hook every routing decision of a model flows past: first the global policies in the order they
 * were added, then the policy of the token's sequence slot (per-request routing control), then the
 * observers. With nothing registered the decision is exactly the router's.
 *
 * <p>Policies and observers are held in arrays replaced on every change (changes are rare, decisions
 * are many): walking them allocates nothing, which a copy-on-write list's iterator would, once per
 * decision.
 */
public final class RoutingHooks {
    private volatile RoutingPolicy[] policies = new RoutingPolicy[0];
    private volatile RoutingObserver[] observers = new RoutingObserver[0];
    private final Map<Integer, RoutingPolicy> slotPolicies = new ConcurrentHashMap<>();

    public synchronized RoutingHooks addPolicy(RoutingPolicy p) {
        policies = append(policies, p);
        return this;
    }

    public synchronized boolean removePolicy(RoutingPolicy p) {
        RoutingPolicy[] kept = Arrays.stream(policies).filter(x -> x != p).toArray(RoutingPolicy[]::new);
        boolean removed = kept.length < policies.length;
        policies = kept;
        return removed;
    }

    public synchronized RoutingHooks addObserver(RoutingObserver o) {
        observers = append(observers, o);
        return this;
    }

    public synchronized boolean removeObserver(RoutingObserver o) {
        RoutingObserver[] kept = Arrays.stream(observers).filter(x -> x != o).toArray(RoutingObserver[]::new);
        boolean removed = kept.length < observers.length;
        observers = kept;
        return removed;
    }

    private static <T> T[] append(T[] a, T x) {
        T[] grown = Arrays.copyOf(a, a.length + 1);
        grown[a.length] = x;
        return grown;
    }

    /** Sets (or with null clears) the policy applied to tokens of one sequence slot. */
    public void setSlotPolicy(int slot, RoutingPolicy p) {
        if (p == null) slotPolicies.remove(slot);
        else slotPolicies.put(slot, p);
    }

    public synchronized void clear() {
        policies = new RoutingPolicy[0];
        observers = new RoutingObserver[0];
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
