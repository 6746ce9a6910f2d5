package org.moe4j.model;

import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFFormatException;

/**
 * Hyper-parameters of a model, read from the {@code <arch>.*} metadata keys of its GGUF file.
 * Architectures read what they need from here; defaults follow the reference engine.
 */
public final class ModelConfig {
    public final String architecture;
    public final String name;
    public final int blockCount;
    public final int embeddingLength;
    public final int vocabSize;
    public final int contextLength;
    public final int[] headCount;
    public final int[] headCountKv;
    public final int keyLength;
    public final int valueLength;
    public final int[] feedForwardLength;
    public final float rmsEps;
    public final float ropeFreqBase;
    public final int ropeDimensionCount;
    public final String ropeScalingType;
    public final float ropeScalingFactor;
    public final int ropeOriginalContext;
    public final float yarnLogMultiplier;

    public final int expertCount;
    public final int expertUsedCount;
    public final int expertFeedForwardLength;
    public final int expertSharedFeedForwardLength;
    public final int expertSharedCount;
    public final int leadingDenseBlockCount;
    public final boolean expertWeightsNorm;
    public final float expertWeightsScale;
    public final int expertGatingFunc;
    public final int expertGroupCount;
    public final int expertGroupUsedCount;

    public final int slidingWindow;
    public final float attentionScale;
    public final float embeddingScale;
    public final float residualScale;
    public final float logitScale;

    public final int qLoraRank;
    public final int kvLoraRank;
    public final int keyLengthMla;
    public final int valueLengthMla;

    private final GGUFFile file;

    public ModelConfig(GGUFFile f) {
        this.file = f;
        this.architecture = f.requireString("general.architecture");
        String a = architecture + ".";
        this.name = f.getString("general.name", architecture);
        this.blockCount = positive(f.requireInt(a + "block_count"), "block_count", 4096);
        this.embeddingLength = positive(f.requireInt(a + "embedding_length"), "embedding_length", 1 << 20);
        String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
        int vocabFromTokens = tokens != null ? tokens.length : 0;
        this.vocabSize = f.getInt(a + "vocab_size", vocabFromTokens);
        this.contextLength = f.getInt(a + "context_length", 2048);
        this.headCount = f.getPerLayerInt(a + "attention.head_count", blockCount, 0);
        for (int h : headCount) positive(h, "attention.head_count", 1 << 16);
        this.headCountKv = f.getPerLayerInt(a + "attention.head_count_kv", blockCount, headCount[0]);
        int defaultHeadDim = embeddingLength / headCount[0];
        this.keyLength = f.getInt(a + "attention.key_length", defaultHeadDim);
        this.valueLength = f.getInt(a + "attention.value_length", defaultHeadDim);
        this.feedForwardLength = f.getPerLayerInt(a + "feed_forward_length", blockCount, 0);
        this.rmsEps = f.getFloat(a + "attention.layer_norm_rms_epsilon", 1e-5f);
        this.ropeFreqBase = f.getFloat(a + "rope.freq_base", 10000f);
        this.ropeDimensionCount = f.getInt(a + "rope.dimension_count", keyLength);
        this.ropeScalingType = f.getString(a + "rope.scaling.type", "none");
        float factor = f.getFloat(a + "rope.scaling.factor", 0f);
        if (factor == 0f && f.has(a + "rope.scale_linear")) {
            factor = f.getFloat(a + "rope.scale_linear", 1f);
        }
        this.ropeScalingFactor = factor == 0f ? 1f : factor;
        this.ropeOriginalContext = f.getInt(a + "rope.scaling.original_context_length", contextLength);
        this.yarnLogMultiplier = f.getFloat(a + "rope.scaling.yarn_log_multiplier", 0f);

        this.expertCount = f.getInt(a + "expert_count", 0);
        this.expertUsedCount = f.getInt(a + "expert_used_count", 0);
        if (expertCount < 0 || expertCount > 1 << 16 || expertUsedCount < 0 || expertUsedCount > expertCount) {
            throw new GGUFFormatException("invalid expert counts: expert_count " + expertCount + ", expert_used_count " + expertUsedCount);
        }
        if (expertCount > 0 && expertUsedCount == 0) {
            throw new GGUFFormatException("expert_count is " + expertCount + " but expert_used_count is missing or 0");
        }
        this.expertFeedForwardLength = f.getInt(a + "expert_feed_forward_length", 0);
        this.expertSharedFeedForwardLength = f.getInt(a + "expert_shared_feed_forward_length", 0);
        this.expertSharedCount = f.getInt(a + "expert_shared_count", 0);
        this.leadingDenseBlockCount = f.getInt(a + "leading_dense_block_count", 0);
        this.expertWeightsNorm = f.getBoolean(a + "expert_weights_norm", false);
        this.expertWeightsScale = f.getFloat(a + "expert_weights_scale", 0f);
        this.expertGatingFunc = f.getInt(a + "expert_gating_func", 0);
        this.expertGroupCount = f.getInt(a + "expert_group_count", 0);
        this.expertGroupUsedCount = f.getInt(a + "expert_group_used_count", 0);

        this.slidingWindow = f.getInt(a + "attention.sliding_window", 0);
        this.attentionScale = f.getFloat(a + "attention.scale", 0f);
        this.embeddingScale = f.getFloat(a + "embedding_scale", 0f);
        this.residualScale = f.getFloat(a + "residual_scale", 0f);
        this.logitScale = f.getFloat(a + "logit_scale", 0f);

        this.qLoraRank = f.getInt(a + "attention.q_lora_rank", 0);
        this.kvLoraRank = f.getInt(a + "attention.kv_lora_rank", 0);
        this.keyLengthMla = f.getInt(a + "attention.key_length_mla", keyLength);
        this.valueLengthMla = f.getInt(a + "attention.value_length_mla", valueLength);
    }

    public boolean isMoe() {
        return expertCount > 0;
    }

    public GGUFFile file() {
        return file;
    }

    private static int positive(int v, String key, int max) {
        if (v <= 0 || v > max) {
            throw new GGUFFormatException("metadata " + key + " = " + v + " is out of range (1.." + max + ")");
        }
        return v;
    }
}
