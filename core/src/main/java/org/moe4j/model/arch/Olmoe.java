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
 * {@code olmoe} (OLMoE-1B-7B): RMSNorm over the whole projected q and k (not per head) before NEOX RoPE;
 * experts as wide as {@code feed_forward_length}; softmax routing, selected probabilities not renormalised.
 */
public final class Olmoe implements Architecture {
    @Override
    public List<String> names() {
        return List.of("olmoe");
    }

    @Override
    public Block block(ModelLoader m, int l) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        var ffn = m.moeFfn(l, m.routerConfig(GatingFunction.SOFTMAX, false, 1f), c.feedForwardLength[l],
                GluActivation.SILU, null, null, null, null);
        return new Block(m.vector(blk(l, "attn_norm"), d),
                StandardAttention.build(m, l, Rope.Style.NEOX, QkNorm.WHOLE),
                m.vector(blk(l, "ffn_norm"), d), ffn, 1f);
    }
}
