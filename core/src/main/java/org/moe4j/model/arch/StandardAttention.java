package org.moe4j.model.arch;

import org.moe4j.model.ModelConfig;
import org.moe4j.model.ModelLoader;
import org.moe4j.model.MultiHeadAttention;
import org.moe4j.model.MultiHeadAttention.QkNorm;
import org.moe4j.model.Rope;

import static org.moe4j.model.ModelLoader.blk;
import static org.moe4j.model.ModelLoader.blkBias;

/**
 * The attention most architectures share: {@code attn_q/k/v/output} with optional biases, built from the
 * standard tensor names. Architectures pass what differs: RoPE pairing, q/k norm, scale, sinks, window.
 */
final class StandardAttention {
    private StandardAttention() {
    }

    static MultiHeadAttention build(ModelLoader m, int l, Rope.Style ropeStyle, QkNorm qkNorm, float scale,
                                    float[] sinks, int slidingWindow) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        int nh = c.headCount[l];
        int nkv = c.headCountKv[l];
        int hd = c.keyLength;
        int vd = c.valueLength;
        float[] qn = null, kn = null;
        if (qkNorm == QkNorm.PER_HEAD) {
            qn = m.vector(blk(l, "attn_q_norm"), hd);
            kn = m.vector(blk(l, "attn_k_norm"), hd);
        } else if (qkNorm == QkNorm.WHOLE) {
            qn = m.vector(blk(l, "attn_q_norm"), nh * hd);
            kn = m.vector(blk(l, "attn_k_norm"), nkv * hd);
        }
        return new MultiHeadAttention(new MultiHeadAttention.Spec(nh, nkv, hd, vd,
                m.tensor(blk(l, "attn_q"), d, nh * hd),
                m.tensor(blk(l, "attn_k"), d, nkv * hd),
                m.tensor(blk(l, "attn_v"), d, nkv * vd),
                m.tensor(blk(l, "attn_output"), nh * vd, d),
                m.optionalVector(blkBias(l, "attn_q"), nh * hd),
                m.optionalVector(blkBias(l, "attn_k"), nkv * hd),
                m.optionalVector(blkBias(l, "attn_v"), nkv * vd),
                m.optionalVector(blkBias(l, "attn_output"), d),
                qkNorm, qn, kn, c.rmsEps,
                m.rope(ropeStyle), scale == 0f ? (float) (1.0 / Math.sqrt(hd)) : scale, sinks, slidingWindow),
                m.matmul());
    }

    static MultiHeadAttention build(ModelLoader m, int l, Rope.Style ropeStyle, QkNorm qkNorm) {
        return build(m, l, ropeStyle, qkNorm, 0f, null, 0);
    }
}
