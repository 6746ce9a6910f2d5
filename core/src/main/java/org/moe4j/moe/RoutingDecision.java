package org.moe4j.moe;

/**
 * One token's routing at one MoE layer: the router's raw logits, the gating scores, the scores used for
 * selection (gating scores plus any selection bias), the selected experts in selection order and their
 * mixing weights. Instances are reused from token to token; observers that keep data must copy it.
 *
 * <p>Policies change the selection with {@link #select(int[], int)} or {@link #selectTopK(int)}; the
 * weights are then recomputed by the layer's own rule, so a policy never has to know the architecture.
 */
public final class RoutingDecision {
    private final Router router;
    final float[] logits;
    final float[] probs;
    final float[] selectionScores;
    final int[] experts;
    final float[] weights;
    int count;
    int layer;
    int batchIndex;
    int position;
    int slot;
    int token;

    RoutingDecision(Router router) {
        this.router = router;
        int e = router.config().experts();
        logits = new float[e];
        probs = new float[e];
        selectionScores = new float[e];
        experts = new int[e];
        weights = new float[e];
    }

    void reset(int layer, int batchIndex, int position, int slot, int token) {
        this.layer = layer;
        this.batchIndex = batchIndex;
        this.position = position;
        this.slot = slot;
        this.token = token;
        this.count = 0;
    }

    public int layer() { return layer; }
    /** Index of the token in its batch. */
    public int batchIndex() { return batchIndex; }
    /** Position of the token in its sequence. */
    public int position() { return position; }
    /** Sequence slot of the token. */
    public int slot() { return slot; }
    /** Token id. */
    public int token() { return token; }
    public int expertCount() { return logits.length; }
    /** The number of experts the model was trained to select. */
    public int trainedTopK() { return router.config().topK(); }
    public RouterConfig routerConfig() { return router.config(); }

    /** Number of selected experts. */
    public int count() { return count; }
    public int expert(int i) { return experts[i]; }
    public float weight(int i) { return weights[i]; }
    /** Raw router logit of expert {@code e} (including the router bias, if any). */
    public float logit(int e) { return logits[e]; }
    /** Gating score of expert {@code e}: its softmax probability or sigmoid score (the weight source). */
    public float probability(int e) { return probs[e]; }
    /** The score experts are ranked by (gating score plus selection bias; the raw logit for gpt-oss). */
    public float selectionScore(int e) { return selectionScores[e]; }

    public int[] expertsCopy() { return java.util.Arrays.copyOf(experts, count); }
    public float[] weightsCopy() { return java.util.Arrays.copyOf(weights, count); }

    /** Replaces the selection by {@code ids[0..k)} and recomputes the weights. */
    public void select(int[] ids, int k) {
        if (k < 1 || k > experts.length) {
            throw new IllegalArgumentException("selection of " + k + " experts out of " + experts.length);
        }
        for (int i = 0; i < k; i++) {
            int e = ids[i];
            if (e < 0 || e >= experts.length) {
                throw new IllegalArgumentException("expert id " + e + " out of range 0.." + (experts.length - 1));
            }
            for (int j = 0; j < i; j++) {
                if (ids[j] == e) throw new IllegalArgumentException("expert " + e + " selected twice");
            }
        }
        System.arraycopy(ids, 0, experts, 0, k);
        count = k;
        router.weigh(this);
    }

    /** Re-runs the layer's selection rule with {@code k} experts instead of the trained number. */
    public void selectTopK(int k) {
        router.select(this, k, null);
        router.weigh(this);
    }

    /** Re-runs the selection rule with {@code k} experts, never choosing an expert where {@code excluded[e]}. */
    public void selectTopK(int k, boolean[] excluded) {
        router.select(this, k, excluded);
        router.weigh(this);
    }

    /**
     * Multiplies every selected weight by {@code factor}: for a policy that keeps the total weight of a
     * selection it shrank, on layers whose own rule does not renormalise.
     */
    public void scaleWeights(float factor) {
        for (int j = 0; j < count; j++) weights[j] *= factor;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("layer ").append(layer).append(" pos ").append(position).append(" experts [");
        for (int i = 0; i < count; i++) {
            if (i > 0) b.append(", ");
            b.append(experts[i]).append(String.format(":%.4f", weights[i]));
        }
        return b.append(']').toString();
    }
}
