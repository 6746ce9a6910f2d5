package org.moe4j.moe;

import org.moe4j.model.GatedFfn;

/**
 * Where routed experts' weights come from. The default maps them from the model file; an expert cache
 * (experts on disk streamed into a RAM budget) implements the same interface. {@link #acquire} may
 * block until the expert is resident; every acquire is paired with a {@link #release}.
 */
public interface ExpertStore extends AutoCloseable {
    GatedFfn.Weights acquire(int layer, int expert);

    default void release(int layer, int expert) {
    }

    /** Called with a layer's routing for a batch before its experts are acquired (for prefetching). */
    default void onRouted(int layer, RoutingDecision[] decisions, int n) {
    }

    /**
     * How many experts of one layer may be held (acquired and not yet released) at once. The MoE layer
     * runs a batch's experts in rounds of at most this many; a cache returns what its budget holds.
     */
    default int maxAcquired() {
        return Integer.MAX_VALUE;
    }

    /** Bytes of one expert of a layer (gate + up + down). */
    long expertBytes(int layer);

    @Override
    default void close() {
    }
}
