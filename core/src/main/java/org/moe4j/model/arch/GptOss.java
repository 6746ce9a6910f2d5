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
import static org.moe4j.model.ModelLoader.blkBias;

/**
 * {@code gpt-oss} (gpt-oss-20b/120b): biases on every projection and expert; a learned sink logit per
 * head in the attention softmax; sliding-window attention on even blocks, full attention on odd ones;
 * NEOX RoPE with YaRN (cos/sin scaled by 1 + 0.1 ln F); the FFN reads {@code post_attention_norm}; routing
 * takes the top-k raw logits (router bias included) and softmaxes over those k only; experts use the
 * clamped SwiGLU ({@link GluActivation#SWIGLU_OAI}).
 */
public final class GptOss implements Architecture {
    @Override
    public List<String> names() {
        return List.of("gpt-oss");
    }

    @Override
    public Block block(ModelLoader m, int l) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        int window = l % 2 == 0 ? c.slidingWindow : 0;
        var attn = StandardAttention.build(m, l, Rope.Style.NEOX, QkNorm.NONE, 0f,
                m.vector(blk(l, "attn_sinks"), c.headCount[l]), window);
        var ffn = m.moeFfn(l, m.routerConfig(GatingFunction.SOFTMAX_SELECTED, false, 1f), c.expertFeedForwardLength,
                GluActivation.SWIGLU_OAI, m.vector(blkBias(l, "ffn_gate_inp"), c.expertCount), null, null, null);
        return new Block(m.vector(blk(l, "attn_norm"), d), attn, m.vector(blk(l, "post_attention_norm"), d), ffn, 1f);
    }
}
