package org.moe4j.moe;

/**
 * The routing rule of an MoE layer.
 *
 * @param experts          number of routed experts
 * @param topK             experts selected per token, as trained
 * @param gating           how logits become scores and weights
 * @param normalize        divide the selected weights by their sum (clamped below at 6.1e-5, as the reference)
 * @param scale            multiply the final weights by this (1 for none)
 * @param groups           expert groups for group-limited selection (0 or 1: none)
 * @param groupsUsed       groups kept per token
 */
public record RouterConfig(int experts, int topK, GatingFunction gating, boolean normalize, float scale,
                           int groups, int groupsUsed) {
    public RouterConfig {
        if (experts < 1 || topK < 1 || topK > experts) {
            throw new IllegalArgumentException("invalid router: " + experts + " experts, top-" + topK);
        }
        if (groups > 1 && (experts % groups != 0 || groupsUsed < 1 || groupsUsed > groups)) {
            throw new IllegalArgumentException("invalid expert groups: " + groups + " groups, " + groupsUsed + " used, " + experts + " experts");
        }
    }

    public static RouterConfig softmax(int experts, int topK, boolean normalize) {
        return new RouterConfig(experts, topK, GatingFunction.SOFTMAX, normalize, 1f, 0, 0);
    }
}
