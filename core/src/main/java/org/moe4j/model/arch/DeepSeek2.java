package org.moe4j.model.arch;

import java.util.List;
import org.moe4j.gguf.GGUFFormatException;
import org.moe4j.model.Architecture;
import org.moe4j.model.Block;
import org.moe4j.model.FeedForwardBlock;
import org.moe4j.model.GatedFfn;
import org.moe4j.model.GluActivation;
import org.moe4j.model.LatentAttention;
import org.moe4j.model.ModelConfig;
import org.moe4j.model.ModelLoader;
import org.moe4j.model.Rope;
import org.moe4j.moe.GatingFunction;

import static org.moe4j.model.ModelLoader.blk;

/**
 * {@code deepseek2}: DeepSeek-V2, V2-Lite, V3, R1 and their relatives.
 * <ul>
 *   <li>Multi-head latent attention ({@link LatentAttention}); queries compressed through
 *       {@code attn_q_a -> norm -> attn_q_b} unless the file has a plain {@code attn_q} (V2-Lite).</li>
 *   <li>YaRN: RoPE's cos/sin are left unscaled; instead the softmax scale is multiplied by
 *       {@code (1 + yarn_log_multiplier * ln F)^2}.</li>
 *   <li>The first {@code leading_dense_block_count} blocks are dense; the others use routed experts plus
 *       {@code expert_shared_count} shared experts (one FFN of that many times the expert width).</li>
 *   <li>Routing: softmax (V2) or sigmoid (V3, {@code expert_gating_func = 2}) scores; V3 adds
 *       {@code exp_probs_b} for selection only and limits selection to the best expert groups; weights
 *       are the unbiased scores, optionally normalised, times {@code expert_weights_scale}.</li>
 * </ul>
 */
public final class DeepSeek2 implements Architecture {
    @Override
    public List<String> names() {
        return List.of("deepseek2");
    }

    @Override
    public Block block(ModelLoader m, int l) {
        ModelConfig c = m.config();
        int d = c.embeddingLength;
        int nh = c.headCount[l];
        int rope = c.ropeDimensionCount;
        int nope = c.keyLengthMla - rope;
        int vHead = c.valueLengthMla;
        int kvLora = c.kvLoraRank;
        if (kvLora <= 0 || nope <= 0) {
            throw new GGUFFormatException("deepseek2: attention.kv_lora_rank and key_length_mla must be set (got "
                    + kvLora + ", " + c.keyLengthMla + ")");
        }
        if (m.has(blk(l, "attn_kv_b")) && !m.has(blk(l, "attn_k_b"))) {
            throw new GGUFFormatException("this DeepSeek file stores attn_kv_b (an older conversion); convert it again "
                    + "with a current converter, which writes attn_k_b and attn_v_b");
        }
        float attnFactor = 1f;
        float scale = (float) (1.0 / Math.sqrt(c.keyLengthMla));
        if ("yarn".equals(c.ropeScalingType) && c.ropeScalingFactor > 1f) {
            float lnF = (float) Math.log(c.ropeScalingFactor);
            attnFactor = 1f / (1f + 0.1f * lnF);
            float mscale = 1f + c.yarnLogMultiplier * lnF;
            scale *= mscale * mscale;
        }
        boolean compressedQ = !m.has(blk(l, "attn_q"));
        int qw = nh * (nope + rope);
        LatentAttention attn = new LatentAttention(new LatentAttention.Spec(nh, nope, rope, kvLora, vHead,
                compressedQ ? null : m.tensor(blk(l, "attn_q"), d, qw),
                compressedQ ? m.tensor(blk(l, "attn_q_a"), d, c.qLoraRank) : null,
                compressedQ ? m.vector(blk(l, "attn_q_a_norm"), c.qLoraRank) : null,
                compressedQ ? m.tensor(blk(l, "attn_q_b"), c.qLoraRank, qw) : null,
                m.tensor(blk(l, "attn_kv_a_mqa"), d, kvLora + rope),
                m.vector(blk(l, "attn_kv_a_norm"), kvLora),
                m.tensor(blk(l, "attn_k_b"), nope, kvLora, nh),
                m.tensor(blk(l, "attn_v_b"), kvLora, vHead, nh),
                m.tensor(blk(l, "attn_output"), nh * vHead, d),
                c.rmsEps, m.rope(Rope.Style.NORM, rope, attnFactor), scale), m.matmul());

        FeedForwardBlock ffn;
        if (l < c.leadingDenseBlockCount) {
            ffn = m.denseFfn(l, c.feedForwardLength[l]);
        } else {
            GatingFunction gating = switch (c.expertGatingFunc) {
                case 0, 1 -> GatingFunction.SOFTMAX;
                case 2 -> GatingFunction.SIGMOID;
                default -> throw new GGUFFormatException("deepseek2: unknown expert_gating_func " + c.expertGatingFunc);
            };
            float wScale = c.expertWeightsScale != 0f ? c.expertWeightsScale : 1f;
            GatedFfn.Weights shared = c.expertSharedCount > 0
                    ? m.sharedExpert(l, c.expertFeedForwardLength * c.expertSharedCount) : null;
            ffn = m.moeFfn(l, m.routerConfig(gating, c.expertWeightsNorm, wScale), c.expertFeedForwardLength,
                    GluActivation.SILU, null, m.optionalVector("blk." + l + ".exp_probs_b.bias", c.expertCount),
                    shared, null);
        }
        return new Block(m.vector(blk(l, "attn_norm"), d), attn, m.vector(blk(l, "ffn_norm"), d), ffn, 1f);
    }
}
