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
 * {@code qwen2moe} (Qwen1.5-MoE, Qwen2-57B-A14B): q/k/v biases, NEOX RoPE, softmax routing whose selected
 * probabilities are used as they are (not renormalised), and a shared expert scaled per token by
 * {@code sigmoid(ffn_gate_inp_shexp . x)}.
 */
public final class Qwen2Moe implements Architecture {
    @Override
    public List<String> names() {
        return List.of("qwen2moe");
    }

    @Override
    public Block block(ModelLoader m, int l) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        int expertHidden = c.expertFeedForwardLength > 0 ? c.expertFeedForwardLength : c.feedForwardLength[l];
        int sharedHidden = c.expertSharedFeedForwardLength > 0 ? c.expertSharedFeedForwardLength : c.feedForwardLength[l];
        var ffn = m.moeFfn(l, m.routerConfig(GatingFunction.SOFTMAX, false, 1f), expertHidden, GluActivation.SILU,
                null, null, m.sharedExpert(l, sharedHidden), m.optionalVector(blk(l, "ffn_gate_inp_shexp"), d));
        return new Block(m.vector(blk(l, "attn_norm"), d),
                StandardAttention.build(m, l, Rope.Style.NEOX, QkNorm.NONE),
                m.vector(blk(l, "ffn_norm"), d), ffn, 1f);
    }
}
