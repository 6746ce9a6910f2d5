package org.moe4j.generate;

/**
 * The routing of one forward-pass token at every MoE layer, after all policies: {@code experts[i]} (in
 * selection order) and {@code weights[i]} at block {@code layers[i]}. For a generated token it is the
 * routing of the position whose logits the token was sampled from.
 *
 * @param position the position in the sequence of the token that went through the layers
 */
public record TokenRouting(int position, int[] layers, int[][] experts, float[][] weights) {
}
