package org.moe4j.moe;

/** How router logits become expert scores and mixing weights. */
public enum GatingFunction {
    /** Probabilities {@code softmax(z)} over all experts; weights are the selected probabilities. */
    SOFTMAX,
    /** Independent {@code sigmoid(z)} per expert (DeepSeek-V3); weights are the selected scores. */
    SIGMOID,
    /** Selection by raw logits; weights are {@code softmax} over the selected logits only (gpt-oss). */
    SOFTMAX_SELECTED
}
