package org.moe4j.moe;

import org.moe4j.model.Batch;
import org.moe4j.model.FeedForwardBlock;
import org.moe4j.model.GatedFfn;
import org.moe4j.model.GluActivation;
import org.moe4j.model.Layer;
import org.moe4j.model.Workspace;
import org.moe4j.tensor.MatMul;
import org.moe4j.tensor.VectorOps;

/**
 * A mixture-of-experts feed-forward layer: routing, then expert execution, then mixing.
 *
 * <ol>
 *   <li>Router logits for the whole batch in one matrix product; the {@link Router} turns each token's
 *       logits into a {@link RoutingDecision}, which then passes the {@link RoutingHooks}.</li>
 *   <li>Tokens are grouped by expert, so each selected expert's weights are read once per batch, and
 *       each expert runs its gated FFN on the rows routed to it.</li>
 *   <li>Each token's output is the sum over its selection, in selection order, of weight times expert
 *       output (plus the shared expert, if any). Summing in selection order makes the result independent
 *       of the order in which experts ran, so an expert cache may run resident experts first.</li>
 * </ol>
 */
public final class MoeFeedForward implements FeedForwardBlock {
    private final Router router;
    private final RoutingHooks hooks;
    private final GluActivation activation;
    private final MatMul mm;
    private final GatedFfn.Weights shared;
    private final float[] sharedGate;
    private volatile ExpertStore store;

    private RoutingDecision[] decisions = new RoutingDecision[0];
    private GatedFfn.Weights[] acquired = new GatedFfn.Weights[0];
    private int[] counts = new int[0];
    private int[] rowsOf = new int[0];
    private int[] starts = new int[0];

    /**
     * @param shared     the shared expert(s), run on every token and added without a router weight, or null
     * @param sharedGate if non-null, the shared expert's output is scaled by {@code sigmoid(sharedGate . x)} (qwen2moe)
     */
    public MoeFeedForward(Router router, RoutingHooks hooks, ExpertStore store, GluActivation activation, MatMul mm,
                          GatedFfn.Weights shared, float[] sharedGate) {
        this.router = router;
        this.hooks = hooks;
        this.store = store;
        this.activation = activation;
        this.mm = mm;
        this.shared = shared;
        this.sharedGate = sharedGate;
    }

    public Router router() {
        return router;
    }

    public void setStore(ExpertStore store) {
        this.store = store;
    }

    /**
     * Runs every expert that received tokens: rows gathered expert by expert, then the gate and up
     * products of all those experts in one parallel job, the activation, and the down products in a
     * second job; results land at {@code results[(t * maxK + j) * width]} for token t's j-th choice.
     * Experts are acquired in rounds of at most {@link ExpertStore#maxAcquired()} so a cache with a
     * small budget is never asked to hold more than it can.
     */
    private void runExperts(int layerIndex, ExpertStore st, float[] in, int width, int nExpert, int pairs, int maxK,
                            float[] results, Workspace ws) {
        float[] xin = ws.get(Workspace.Slot.EXPERT_IN, pairs * width);
        for (int x = 0; x < nExpert; x++) {
            for (int r = 0; r < counts[x]; r++) {
                int t = rowsOf[starts[x] + r] / maxK;
                System.arraycopy(in, t * width, xin, (starts[x] + r) * width, width);
            }
        }
        if (acquired.length < nExpert) acquired = new GatedFfn.Weights[nExpert];
        int limit = Math.max(1, st.maxAcquired());
        int x = 0;
        while (x < nExpert) {
            int first = x;
            int held = 0;
            int hidden = 0;
            for (; x < nExpert && held < limit; x++) {
                if (counts[x] == 0) continue;
                acquired[x] = st.acquire(layerIndex, x);
                hidden = Math.max(hidden, acquired[x].hidden());
                held++;
            }
            try {
                runRound(first, x, xin, width, hidden, maxK, results, ws);
            } finally {
                for (int e = first; e < x; e++) {
                    if (acquired[e] != null) {
                        acquired[e] = null;
                        st.release(layerIndex, e);
                    }
                }
            }
        }
    }

    private void runRound(int from, int to, float[] xin, int width, int hidden, int maxK, float[] results, Workspace ws) {
        int rowsFrom = starts[from];
        int rowsTo = starts[to];
        int rows = rowsTo - rowsFrom;
        float[] g = ws.get(Workspace.Slot.GATE, rows * hidden);
        float[] u = ws.get(Workspace.Slot.UP, rows * hidden);
        var group = mm.group();
        for (int e = from; e < to; e++) {
            if (counts[e] == 0) continue;
            GatedFfn.Weights w = acquired[e];
            int r0 = starts[e] - rowsFrom;
            group.add(w.gate(), xin, starts[e] * width, counts[e], g, r0 * w.hidden());
            group.add(w.up(), xin, starts[e] * width, counts[e], u, r0 * w.hidden());
        }
        group.run();
        float[] y = ws.get(Workspace.Slot.TMP, rows * width);
        group = mm.group();
        for (int e = from; e < to; e++) {
            if (counts[e] == 0) continue;
            GatedFfn.Weights w = acquired[e];
            int r0 = starts[e] - rowsFrom;
            GatedFfn.activate(w, activation, g, u, r0, counts[e]);
            group.add(w.down(), g, r0 * w.hidden(), counts[e], y, r0 * width);
        }
        group.run();
        for (int e = from; e < to; e++) {
            if (counts[e] == 0) continue;
            GatedFfn.Weights w = acquired[e];
            int r0 = starts[e] - rowsFrom;
            GatedFfn.addDownBias(w, y, r0 * width, counts[e]);
            for (int r = 0; r < counts[e]; r++) {
                System.arraycopy(y, (r0 + r) * width, results, rowsOf[starts[e] + r] * width, width);
            }
        }
    }

    /** Router logits and decisions for a batch of normed inputs, without running experts (prediction, analysis). */
    public RoutingDecision[] route(Layer layer, float[] in, boolean applyHooks) {
        Batch batch = layer.batch();
        int n = batch.size();
        int e = router.config().experts();
        float[] z = layer.ws().get(Workspace.Slot.ROUTER, n * e);
        mm.apply(router.weight(), in, 0, n, z, 0);
        if (decisions.length < n) {
            RoutingDecision[] grown = java.util.Arrays.copyOf(decisions, n);
            for (int i = decisions.length; i < n; i++) grown[i] = router.newDecision();
            decisions = grown;
        }
        for (int t = 0; t < n; t++) {
            RoutingDecision d = decisions[t];
            d.reset(layer.index(), t, batch.position(t), batch.slot(t), batch.token(t));
            router.route(z, t * e, d);
            if (applyHooks) hooks.apply(d);
        }
        return decisions;
    }

    @Override
    public void forward(Layer layer, float[] in, float[] out) {
        int n = layer.batch().size();
        int width = router.weight().cols();
        int nExpert = router.config().experts();
        RoutingDecision[] ds = route(layer, in, true);
        hooks.layerDone(layer.index(), ds, n);
        ExpertStore st = store;
        st.onRouted(layer.index(), ds, n);

        // group (token, choice) pairs by expert
        int maxK = 0;
        if (counts.length < nExpert) {
            counts = new int[nExpert];
            starts = new int[nExpert + 1];
        }
        java.util.Arrays.fill(counts, 0, nExpert, 0);
        int pairs = 0;
        for (int t = 0; t < n; t++) {
            RoutingDecision d = ds[t];
            maxK = Math.max(maxK, d.count);
            for (int j = 0; j < d.count; j++) counts[d.experts[j]]++;
            pairs += d.count;
        }
        starts[0] = 0;
        for (int x = 0; x < nExpert; x++) starts[x + 1] = starts[x] + counts[x];
        if (rowsOf.length < pairs) rowsOf = new int[Math.max(pairs, rowsOf.length * 2)];
        java.util.Arrays.fill(counts, 0, nExpert, 0);
        for (int t = 0; t < n; t++) {
            RoutingDecision d = ds[t];
            for (int j = 0; j < d.count; j++) {
                int x = d.experts[j];
                rowsOf[starts[x] + counts[x]++] = t * maxK + j; // (token, choice) packed
            }
        }

        Workspace ws = layer.ws();
        float[] results = ws.get(Workspace.Slot.EXPERT_OUT, n * maxK * width);
        runExperts(layer.index(), st, in, width, nExpert, pairs, maxK, results, ws);

        for (int t = 0; t < n; t++) {
            RoutingDecision d = ds[t];
            int o = t * width;
            java.util.Arrays.fill(out, o, o + width, 0f);
            for (int j = 0; j < d.count; j++) {
                VectorOps.axpy(d.weights[j], results, (t * maxK + j) * width, out, o, width);
            }
        }

        if (shared != null) {
            float[] sh = ws.get(Workspace.Slot.SHARED_OUT, n * width);
            GatedFfn.run(mm, shared, activation, in, 0, n, sh, 0, ws);
            for (int t = 0; t < n; t++) {
                float g = sharedGate == null ? 1f : VectorOps.sigmoid(VectorOps.dot(sharedGate, 0, in, t * width, width));
                VectorOps.axpy(g, sh, t * width, out, t * width, width);
            }
        }
    }
}
