package org.moe4j.moe;

import org.moe4j.model.FeedForwardBlock;
import org.moe4j.model.ForwardListener;
import org.moe4j.model.Model;
import org.moe4j.tensor.MatMul;

/**
 * Cross-layer gate prediction: before block L's feed-forward runs, the router of the next MoE block is
 * applied to block L's normed feed-forward input, giving for every token of the pass the experts that
 * router would select there. The residual stream changes little from one block to the next, so this is
 * a good guess of the next block's routing, available one block early. The expert cache prefetches on
 * it; a routing trace can record it so that a replay can prefetch the same way.
 *
 * <p>The router's own selection is used (no routing policies), so the guess is what the trained model
 * would pick. It is the same for every consumer, so a model has at most one gate, shared by all its
 * {@linkplain #subscribe subscribers}: a cache that prefetches and a trace that records the predictions
 * pay for one router product per block, not two.
 */
public final class CrossLayerGate implements ForwardListener {
    /** Receives each pass's predictions, on the forward thread. */
    public interface Sink {
        /**
         * The experts block {@code target} is predicted to select for each of the pass's {@code n} tokens,
         * in batch order ({@code perToken[t]}, only valid during the call); {@code fromDense} when the
         * source block has no routed experts of its own (nothing else to load first).
         */
        void predicted(int target, RoutingDecision[] perToken, int n, boolean fromDense);
    }

    /** A sink's place on a model's gate; closing it removes the gate when no sink is left. */
    public static final class Subscription implements AutoCloseable {
        private final Model model;
        private final Sink sink;
        private boolean closed;

        private Subscription(Model model, Sink sink) {
            this.model = model;
            this.sink = sink;
        }

        @Override
        public void close() {
            synchronized (model) {
                if (closed) return;
                closed = true;
                CrossLayerGate g = installedOn(model);
                if (g == null) return;
                g.sinks = java.util.Arrays.stream(g.sinks).filter(x -> x != sink).toArray(Sink[]::new);
                if (g.sinks.length == 0) model.removeListener(g);
            }
        }
    }

    // replaced, never changed in place, under the model's lock, which a forward pass also holds
    private volatile Sink[] sinks = new Sink[0];
    private final int[] nextMoe;
    private final boolean[] isMoe;
    private final Router[] routers;
    private final RoutingDecision[][] decisions;
    private final MatMul mm;
    private float[] logits = new float[0];

    /**
     * Hands {@code sink} the predictions of every forward pass of {@code model} from now on, installing the
     * model's gate if it has none yet. Holds the model's lock, so it waits for a pass that is running.
     */
    public static Subscription subscribe(Model model, Sink sink) {
        synchronized (model) {
            CrossLayerGate g = installedOn(model);
            if (g == null) {
                g = new CrossLayerGate(model);
                model.addListener(g);
            }
            Sink[] grown = java.util.Arrays.copyOf(g.sinks, g.sinks.length + 1);
            grown[g.sinks.length] = sink;
            g.sinks = grown;
            return new Subscription(model, sink);
        }
    }

    /** The gate installed on {@code model}, or null. */
    static CrossLayerGate installedOn(Model model) {
        for (ForwardListener l : model.listeners()) if (l instanceof CrossLayerGate g) return g;
        return null;
    }

    private CrossLayerGate(Model model) {
        int blocks = model.blockCount();
        nextMoe = new int[blocks];
        isMoe = new boolean[blocks];
        routers = new Router[blocks];
        decisions = new RoutingDecision[blocks][0];
        for (int b = 0; b < blocks; b++) {
            FeedForwardBlock ff = model.block(b).feedForward();
            if (ff instanceof MoeFeedForward moe) {
                isMoe[b] = true;
                routers[b] = moe.router();
            }
        }
        int next = -1;
        for (int b = blocks - 1; b >= 0; b--) {
            nextMoe[b] = next;
            if (isMoe[b]) next = b;
        }
        mm = new MatMul(model.pool(), model.numericMode());
    }

    @Override
    public void beforeFeedForward(int layer, float[] normed, int n, int width) {
        int target = nextMoe[layer];
        Sink[] to = sinks;
        if (target < 0 || to.length == 0) return;
        Router r = routers[target];
        int e = r.config().experts();
        if (logits.length < n * e) logits = new float[n * e];
        mm.apply(r.weight(), normed, 0, n, logits, 0);
        RoutingDecision[] ds = decisions[target];
        if (ds.length < n) {
            int had = ds.length;
            ds = java.util.Arrays.copyOf(ds, n);
            for (int t = had; t < n; t++) ds[t] = r.newDecision();
            decisions[target] = ds;
        }
        for (int t = 0; t < n; t++) r.route(logits, t * e, ds[t]);
        for (Sink sink : to) sink.predicted(target, ds, n, !isMoe[layer]);
    }
}
