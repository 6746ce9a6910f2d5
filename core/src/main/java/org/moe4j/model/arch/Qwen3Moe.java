package org.moe4j.model.arch;

import java.util.List;
import org.moe4j.model.Architecture;
import org.moe4j.model.Block;
import org.moe4j.model.GluActivation;
import org.moe4j.model.ModelConfig;
import org.moe4j.model.ModelLoader;
import org.moe4j.model.MultiHeadAttention.QkNorm;
import org.moe4j.model.Rope;
import org.moe4j.moe.GatingFunction;

import static org.moe4j.model.ModelLoader.blk;

/**
 * {@code qwen3moe} (Qwen3-30B-A3B, Qwen3-235B-A22B): per-head RMSNorm of q and k before NEOX RoPE, head
 * dimension from {@code attention.key_length} (so q may be wider than the model), softmax routing with
 * the selected probabilities renormalised, no shared expert.
 */
public final class Qwen3Moe implements Architecture {
    @Override
    public List<String> names() {
        return List.of("qwen3moe");
    }

    @Override
    public Block block(ModelLoader m, int l) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        int expertHidden = c.expertFeedForwardLength > 0 ? c.expertFeedForwardLength : c.feedForwardLength[l];
        var ffn = m.moeFfn(l, m.routerConfig(GatingFunction.SOFTMAX, true, 1f), expertHidden, GluActivation.SILU,
                null, null, null, null);
        return new Block(m.vector(blk(l, "attn_norm"), d),
                StandardAttention.build(m, l, Rope.Style.NEOX, QkNorm.PER_HEAD),
                m.vector(blk(l, "ffn_norm"), d), ffn, 1f);
    }
}
