package org.moe4j.moe;

import java.util.concurrent.atomic.LongAdder;
import org.moe4j.model.GatedFfn;

/**
 * An {@link ExpertStore} decorator that counts expert acquisitions and the weight bytes they stand for.
 * The MoE layer acquires each expert it runs once per forward pass, however many tokens of the batch
 * were routed to it, so {@link #bytes()} over the tokens evaluated is the expert weight traffic per token
 * that batching achieves. Everything else goes to the wrapped store.
 */
public final class CountingExpertStore implements ExpertStore {
    private final ExpertStore delegate;
    private final LongAdder acquisitions = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    public CountingExpertStore(ExpertStore delegate) {
        if (delegate == null) throw new IllegalArgumentException("no expert store to count");
        this.delegate = delegate;
    }

    public ExpertStore delegate() {
        return delegate;
    }

    /** Experts acquired so far (one per expert and layer and forward pass that used it). */
    public long acquisitions() {
        return acquisitions.sum();
    }

    /** Expert weight bytes acquired so far. */
    public long bytes() {
        return bytes.sum();
    }

    @Override
    public GatedFfn.Weights acquire(int layer, int expert) {
        GatedFfn.Weights w = delegate.acquire(layer, expert);
        acquisitions.increment();
        bytes.add(w.bytes());
        return w;
    }

    @Override
    public void release(int layer, int expert) {
        delegate.release(layer, expert);
    }

    @Override
    public void onRouted(int layer, RoutingDecision[] decisions, int n) {
        delegate.onRouted(layer, decisions, n);
    }

    @Override
    public int maxAcquired() {
        return delegate.maxAcquired();
    }

    @Override
    public long expertBytes(int layer) {
        return delegate.expertBytes(layer);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
