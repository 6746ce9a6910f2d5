package org.moe4j.moe;

import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.VectorOps;

/**
 * Turns router logits into a {@link RoutingDecision}: gating scores, top-k selection (optionally biased and
 * group-limited) and mixing weights. Computing the logits is a matrix product done by the MoE layer for a
 * whole batch; everything after that is here, separate from expert execution.
 */
public final class Router {
    private final int layer;
    private final RouterConfig config;
    private final Tensor weight;
    private final float[] logitBias;
    private final float[] selectionBias;

    /**
     * @param weight        the router matrix {@code [n_embd, n_expert]}
     * @param logitBias     added to the logits (gpt-oss's router bias), or null
     * @param selectionBias added to the scores for selection only (DeepSeek-V3's {@code exp_probs_b}), or null
     */
    public Router(int layer, RouterConfig config, Tensor weight, float[] logitBias, float[] selectionBias) {
        this.layer = layer;
        this.config = config;
        this.weight = weight;
        this.logitBias = logitBias;
        this.selectionBias = selectionBias;
        if (weight.rows() != config.experts()) {
            throw new IllegalArgumentException("router " + weight + " has " + weight.rows() + " outputs for " + config.experts() + " experts");
        }
    }

    public int layer() { return layer; }
    public RouterConfig config() { return config; }
    public Tensor weight() { return weight; }
    public float[] logitBias() { return logitBias; }

    /** A decision object for this router, to be reused across tokens. */
    public RoutingDecision newDecision() {
        return new RoutingDecision(this);
    }

    /** Fills {@code d} from the logits {@code z[off .. off + n_expert)} with the trained rule. */
    public void route(float[] z, int off, RoutingDecision d) {
        int e = config.experts();
        System.arraycopy(z, off, d.logits, 0, e);
        if (logitBias != null) {
            for (int i = 0; i < e; i++) d.logits[i] += logitBias[i];
        }
        switch (config.gating()) {
            case SOFTMAX -> {
                System.arraycopy(d.logits, 0, d.probs, 0, e);
                VectorOps.softmax(d.probs, 0, e);
            }
            case SIGMOID -> {
                for (int i = 0; i < e; i++) d.probs[i] = VectorOps.sigmoid(d.logits[i]);
            }
            case SOFTMAX_SELECTED -> {
                // the probabilities only serve policies (e.g. top-p); selection and weights use the logits
                System.arraycopy(d.logits, 0, d.probs, 0, e);
                VectorOps.softmax(d.probs, 0, e);
            }
        }
        float[] base = config.gating() == GatingFunction.SOFTMAX_SELECTED ? d.logits : d.probs;
        for (int i = 0; i < e; i++) {
            d.selectionScores[i] = selectionBias != null ? base[i] + selectionBias[i] : base[i];
        }
        select(d, config.topK(), null);
        weigh(d);
    }

    /** Selects the {@code k} best experts by selection score, honouring expert groups and exclusions. */
    void select(RoutingDecision d, int k, boolean[] excluded) {
        int e = config.experts();
        float[] s = d.selectionScores;
        boolean[] eligible = groupFilter(s, excluded);
        k = Math.min(k, countEligible(eligible, e));
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < e; i++) {
                if (!eligible[i]) continue;
                if (best < 0 || s[i] > s[best]) best = i;
            }
            d.experts[j] = best;
            eligible[best] = false;
        }
        d.count = k;
    }

    /** Per-thread scratch of the selection, so routing allocates nothing per token. */
    private final class Scratch {
        final boolean[] eligible = new boolean[config.experts()];
        final float[] groupScore = new float[Math.max(1, config.groups())];
        final boolean[] keepGroup = new boolean[Math.max(1, config.groups())];
    }

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private boolean[] groupFilter(float[] s, boolean[] excluded) {
        int e = config.experts();
        Scratch sc = scratch.get();
        boolean[] ok = sc.eligible;
        for (int i = 0; i < e; i++) ok[i] = excluded == null || !excluded[i];
        int g = config.groups();
        if (g > 1 && config.groupsUsed() < g) {
            int per = e / g;
            // a group's score is the sum of its two best scores; only the best groups stay eligible
            float[] groupScore = sc.groupScore;
            for (int gi = 0; gi < g; gi++) {
                float a = Float.NEGATIVE_INFINITY, b = Float.NEGATIVE_INFINITY;
                for (int i = gi * per; i < (gi + 1) * per; i++) {
                    if (!ok[i]) continue;
                    float v = s[i];
                    if (v > a) { b = a; a = v; } else if (v > b) b = v;
                }
                groupScore[gi] = per >= 2 ? a + b : a;
            }
            boolean[] keep = sc.keepGroup;
            java.util.Arrays.fill(keep, false);
            for (int r = 0; r < config.groupsUsed(); r++) {
                int best = -1;
                for (int gi = 0; gi < g; gi++) {
                    if (!keep[gi] && (best < 0 || groupScore[gi] > groupScore[best])) best = gi;
                }
                keep[best] = true;
            }
            for (int i = 0; i < e; i++) if (!keep[i / per]) ok[i] = false;
        }
        return ok;
    }

    private static int countEligible(boolean[] ok, int e) {
        int c = 0;
        for (int i = 0; i < e; i++) if (ok[i]) c++;
        return c;
    }

    /** Computes the mixing weights of the selected experts by this layer's rule. */
    void weigh(RoutingDecision d) {
        int k = d.count;
        if (config.gating() == GatingFunction.SOFTMAX_SELECTED) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, d.logits[d.experts[j]]);
            double sum = 0;
            for (int j = 0; j < k; j++) {
                float v = (float) Math.exp(d.logits[d.experts[j]] - max);
                d.weights[j] = v;
                sum += v;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < k; j++) d.weights[j] *= inv;
        } else {
            for (int j = 0; j < k; j++) d.weights[j] = d.probs[d.experts[j]];
        }
        if (config.normalize()) {
            float sum = 0;
            for (int j = 0; j < k; j++) sum += d.weights[j];
            sum = Math.max(sum, 6.103515625e-5f);
            for (int j = 0; j < k; j++) d.weights[j] /= sum;
        }
        if (config.scale() != 1f) {
            for (int j = 0; j < k; j++) d.weights[j] *= config.scale();
        }
    }
}
