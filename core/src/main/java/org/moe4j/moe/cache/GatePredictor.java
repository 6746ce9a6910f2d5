package org.moe4j.moe.cache;

import org.moe4j.model.FeedForwardBlock;
import org.moe4j.model.ForwardListener;
import org.moe4j.model.Model;
import org.moe4j.moe.MoeFeedForward;
import org.moe4j.moe.Router;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.tensor.MatMul;

/**
 * Cross-layer gate prediction: before block L's feed-forward runs, the router of the next MoE block is
 * applied to block L's normed feed-forward input, and the experts it would select are handed to the
 * cache to load while block L computes. The residual stream changes little from one block to the next,
 * so the next router's choice on it is a good guess; the cache corrects whatever it gets wrong.
 */
final class GatePredictor implements ForwardListener {
    private final ExpertCache cache;
    private final int[] nextMoe;
    private final boolean[] isMoe;
    private final Router[] routers;
    private final RoutingDecision[] decisions;
    private final MatMul mm;
    private float[] logits = new float[0];
    private final boolean[] mark;
    private final int[] experts;

    GatePredictor(Model model, ExpertCache cache) {
        this.cache = cache;
        int blocks = model.blockCount();
        nextMoe = new int[blocks];
        isMoe = new boolean[blocks];
        routers = new Router[blocks];
        decisions = new RoutingDecision[blocks];
        int maxExperts = 0;
        for (int b = 0; b < blocks; b++) {
            FeedForwardBlock ff = model.block(b).feedForward();
            if (ff instanceof MoeFeedForward moe) {
                isMoe[b] = true;
                routers[b] = moe.router();
                decisions[b] = moe.router().newDecision();
                maxExperts = Math.max(maxExperts, moe.router().config().experts());
            }
        }
        int next = -1;
        for (int b = blocks - 1; b >= 0; b--) {
            nextMoe[b] = next;
            if (isMoe[b]) next = b;
        }
        mark = new boolean[maxExperts];
        experts = new int[maxExperts];
        mm = new MatMul(model.pool(), model.numericMode());
    }

    @Override
    public void beforeFeedForward(int layer, float[] normed, int n, int width) {
        int target = nextMoe[layer];
        if (target < 0) return;
        Router r = routers[target];
        int e = r.config().experts();
        if (logits.length < n * e) logits = new float[n * e];
        mm.apply(r.weight(), normed, 0, n, logits, 0);
        RoutingDecision d = decisions[target];
        for (int t = 0; t < n; t++) {
            r.route(logits, t * e, d);
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
        cache.predict(target, experts, count, !isMoe[layer]);
    }
}
