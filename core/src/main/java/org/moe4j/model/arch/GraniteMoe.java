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
 * {@code granitemoe} (IBM Granite 3 MoE): four multipliers from the metadata: embeddings times
 * {@code embedding_scale}, attention softmax scale {@code attention.scale} instead of 1/sqrt(head_dim),
 * attention and MoE outputs times {@code residual_scale} before each residual add, logits divided by
 * {@code logit_scale}. Adjacent-pair RoPE; renormalised softmax routing; output tied to the embeddings
 * when {@code output.weight} is absent.
 */
public final class GraniteMoe implements Architecture {
    @Override
    public List<String> names() {
        return List.of("granitemoe");
    }

    @Override
    public void configure(ModelLoader m) {
        ModelConfig c = m.config();
        if (c.embeddingScale != 0f) m.setEmbeddingScale(c.embeddingScale);
        if (c.logitScale != 0f) m.setLogitDivisor(c.logitScale);
    }

    @Override
    public Block block(ModelLoader m, int l) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        var ffn = m.moeFfn(l, m.routerConfig(GatingFunction.SOFTMAX, true, 1f), c.feedForwardLength[l],
                GluActivation.SILU, null, null, null, null);
        return new Block(m.vector(blk(l, "attn_norm"), d),
                StandardAttention.build(m, l, Rope.Style.NORM, QkNorm.NONE, c.attentionScale, null, 0),
                m.vector(blk(l, "ffn_norm"), d), ffn, c.residualScale != 0f ? c.residualScale : 1f);
    }
}
