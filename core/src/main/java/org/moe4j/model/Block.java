package org.moe4j.model;

/**
 * One transformer block, pre-norm: {@code h = x + s * Attn(norm(x)); x' = h + s * FFN(norm2(h))}
 * where {@code s} is the residual scale (1 except granite).
 */
public record Block(float[] attnNorm, AttentionBlock attention, float[] ffnNorm, FeedForwardBlock feedForward,
                    float residualScale) {
}
