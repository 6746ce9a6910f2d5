package org.moe4j.model.arch;

import java.util.List;
import org.moe4j.model.Architecture;
import org.moe4j.model.Block;
import org.moe4j.model.FeedForwardBlock;
import org.moe4j.model.GluActivation;
import org.moe4j.model.ModelConfig;
import org.moe4j.model.ModelLoader;
import org.moe4j.model.MultiHeadAttention.QkNorm;
import org.moe4j.model.Rope;
import org.moe4j.moe.GatingFunction;

import static org.moe4j.model.ModelLoader.blk;

/**
 * {@code llama}: dense LLaMA, or Mixtral when {@code expert_count > 0}. Adjacent-pair RoPE; experts
 * as wide as {@code feed_forward_length}; Mixtral routing: softmax over all experts, top-k,
 * selected probabilities renormalised to sum to one.
 */
public final class Llama implements Architecture {
    @Override
    public List<String> names() {
        return List.of("llama", "mistral");
    }

    @Override
    public Block block(ModelLoader m, int l) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        FeedForwardBlock ffn = c.isMoe()
                ? m.moeFfn(l, m.routerConfig(GatingFunction.SOFTMAX, true, 1f), c.feedForwardLength[l],
                        GluActivation.SILU, null, null, null, null)
                : m.denseFfn(l, c.feedForwardLength[l]);
        return new Block(m.vector(blk(l, "attn_norm"), d),
                StandardAttention.build(m, l, Rope.Style.NORM, QkNorm.NONE),
                m.vector(blk(l, "ffn_norm"), d), ffn, 1f);
    }
}
