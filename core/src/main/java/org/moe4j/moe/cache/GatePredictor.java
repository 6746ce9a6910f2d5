package org.moe4j.moe.cache;

import org.moe4j.model.Model;
import org.moe4j.moe.CrossLayerGate;
import org.moe4j.moe.RoutingDecision;

/**
 * Hands the cache the experts {@link CrossLayerGate} predicts for the next MoE block (the union over the
 * pass's tokens), to load while the current block computes; the cache corrects whatever it gets wrong.
 */
final class GatePredictor implements CrossLayerGate.Sink {
    private final ExpertCache cache;
    private final boolean[] mark;
    private final int[] experts;
    private final Model model;
    private CrossLayerGate.Subscription subscription;

    GatePredictor(Model model, ExpertCache cache) {
        this.cache = cache;
        this.model = model;
        int maxExperts = Math.max(1, model.config().expertCount);
        for (int b = 0; b < model.blockCount(); b++) {
            if (model.block(b).feedForward() instanceof org.moe4j.moe.MoeFeedForward moe) {
                maxExperts = Math.max(maxExperts, moe.router().config().experts());
            }
        }
        mark = new boolean[maxExperts];
        experts = new int[maxExperts];
    }

    void start() {
        if (subscription == null) subscription = CrossLayerGate.subscribe(model, this);
    }

    void stop() {
        if (subscription != null) subscription.close();
        subscription = null;
    }

    @Override
    public void predicted(int target, RoutingDecision[] perToken, int n, boolean fromDense) {
        if (n == 0) return;
        int e = perToken[0].expertCount();
        for (int t = 0; t < n; t++) {
            RoutingDecision d = perToken[t];
            for (int j = 0; j < d.count(); j++) mark[d.expert(j)] = true;
        }
        int count = 0;
        for (int x = 0; x < e; x++) {
            if (mark[x]) {
                experts[count++] = x;
                mark[x] = false;
            }
        }
        // after this block's own demand loads when it is an MoE block, at once when it is dense
        cache.predict(target, experts, count, fromDense);
    }
}
