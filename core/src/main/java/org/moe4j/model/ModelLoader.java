package org.moe4j.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFFormatException;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFTensorInfo;
import org.moe4j.moe.GatingFunction;
import org.moe4j.moe.MappedExpertStore;
import org.moe4j.moe.MoeFeedForward;
import org.moe4j.moe.Router;
import org.moe4j.moe.RouterConfig;
import org.moe4j.moe.RoutingHooks;
import org.moe4j.tensor.MatMul;
import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.quant.QuantFormats;
import org.moe4j.util.WorkerPool;

/**
 * Builds a {@link Model} from a GGUF file, and gives architecture files the helpers they wire blocks
 * with: tensors looked up by their standard names with shape checks, norms, RoPE from the metadata, and
 * ready-made dense and MoE feed-forward layers. Every missing or misshapen tensor is reported by name.
 */
public final class ModelLoader {
    private final GGUFFile file;
    private final ModelConfig config;
    private final MatMul mm;
    private final RoutingHooks hooks = new RoutingHooks();
    private final MappedExpertStore experts;
    private record RopeKey(Rope.Style style, int nRot, float attnFactor) { }

    private final java.util.Map<RopeKey, Rope> ropes = new java.util.LinkedHashMap<>();
    private float embeddingScale = 1f;
    private float logitDivisor = 1f;
    private Tensor output;

    private ModelLoader(GGUFFile file, MatMul mm) {
        this.file = file;
        this.config = new ModelConfig(file);
        this.mm = mm;
        this.experts = new MappedExpertStore(config.blockCount);
    }

    /** Opens and loads a model file. */
    public static Model load(Path path, LoadOptions options) {
        GGUFFile f = GGUFReader.open(path);
        try {
            return load(f, options);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Loads a model from an open file; the model takes ownership of it. */
    public static Model load(GGUFFile f, LoadOptions options) {
        WorkerPool pool = new WorkerPool(options.threads());
        try {
            ModelLoader m = new ModelLoader(f, new MatMul(pool, options.mode()));
            return m.build();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private Model build() {
        Architecture arch = Architectures.forName(config.architecture);
        int d = config.embeddingLength;
        Tensor embd = tensor("token_embd.weight", d, -1);
        if (config.vocabSize > 0 && embd.dim(1) != config.vocabSize) {
            throw new GGUFFormatException("token_embd.weight has " + embd.dim(1) + " rows but vocab_size is " + config.vocabSize);
        }
        arch.configure(this);
        if (output == null) {
            output = file.hasTensor("output.weight") ? tensor("output.weight", d, embd.dim(1)) : embd; // tied embeddings
        }
        float[] outNorm = vector("output_norm.weight", d);
        Block[] blocks = new Block[config.blockCount];
        for (int l = 0; l < blocks.length; l++) {
            try {
                blocks[l] = arch.block(this, l);
            } catch (IllegalArgumentException e) {
                throw new GGUFFormatException("block " + l + ": " + e.getMessage(), e);
            }
        }
        checkSupported();
        return new Model(config, file, embd, embeddingScale, blocks, outNorm, output, logitDivisor, hooks, new ArrayList<>(ropes.values()),
                mm.pool(), mm, experts);
    }

    private void checkSupported() {
        for (GGUFTensorInfo t : file.tensors()) {
            if (!QuantFormats.isSupported(t.type())) {
                throw new GGUFFormatException("tensor '" + t.name() + "' has type " + t.type() + ", which moe4j cannot compute with yet");
            }
        }
    }

    // ---- helpers for architecture files ------------------------------------------------------

    public GGUFFile file() { return file; }
    public ModelConfig config() { return config; }
    public MatMul matmul() { return mm; }
    public RoutingHooks hooks() { return hooks; }

    public void setEmbeddingScale(float s) { embeddingScale = s; }
    public void setLogitDivisor(float s) { logitDivisor = s; }
    public void setOutput(Tensor t) { output = t; }

    /** {@code blk.<layer>.<name>.weight} */
    public static String blk(int layer, String name) {
        return "blk." + layer + "." + name + ".weight";
    }

    public static String blkBias(int layer, String name) {
        return "blk." + layer + "." + name + ".bias";
    }

    public boolean has(String name) {
        return file.hasTensor(name);
    }

    /** A required tensor whose dims must equal {@code dims} (-1 = any). */
    public Tensor tensor(String name, long... dims) {
        GGUFTensorInfo info = file.tensorInfo(name).orElseThrow(() ->
                new GGUFFormatException("required tensor '" + name + "' is missing (architecture " + config.architecture + ")"));
        long[] actual = info.dims();
        boolean ok = actual.length == dims.length || (actual.length < dims.length && trailingOnes(dims, actual.length));
        for (int i = 0; ok && i < dims.length; i++) {
            long a = i < actual.length ? actual[i] : 1;
            if (dims[i] >= 0 && a != dims[i]) ok = false;
        }
        if (!ok) {
            throw new GGUFFormatException("tensor '" + name + "' has shape " + Arrays.toString(actual) + ", expected "
                    + Arrays.toString(dims).replace("-1", "*"));
        }
        return new Tensor(name, info.type(), actual, file.tensorData(info));
    }

    private static boolean trailingOnes(long[] dims, int from) {
        for (int i = from; i < dims.length; i++) if (dims[i] != 1) return false;
        return true;
    }

    public Tensor optionalTensor(String name, long... dims) {
        return file.hasTensor(name) ? tensor(name, dims) : null;
    }

    /** A 1-D tensor (norm weight, bias) copied to the heap. */
    public float[] vector(String name, int length) {
        float[] v = tensor(name, length).toFloatArray();
        for (float x : v) {
            if (!Float.isFinite(x)) throw new GGUFFormatException("tensor '" + name + "' contains " + x);
        }
        return v;
    }

    public float[] optionalVector(String name, int length) {
        return file.hasTensor(name) ? vector(name, length) : null;
    }

    /** The model's RoPE (scaling from the metadata), shared by all layers that ask for the same kind. */
    public Rope rope(Rope.Style style, int nRot, float attnFactor) {
        ModelConfig c = config;
        float freqScale = 1f;
        float ext = 0f;
        switch (c.ropeScalingType) {
            case "none", "" -> { }
            case "linear" -> freqScale = 1f / c.ropeScalingFactor;
            case "yarn" -> {
                freqScale = 1f / c.ropeScalingFactor;
                ext = 1f;
            }
            default -> throw new GGUFFormatException("rope scaling type '" + c.ropeScalingType + "' is not supported");
        }
        float fs = freqScale;
        float ex = ext;
        return ropes.computeIfAbsent(new RopeKey(style, nRot, attnFactor), k -> new Rope(style, nRot, c.ropeFreqBase,
                fs, ex, attnFactor, c.ropeOriginalContext, 32f, 1f, optionalVector("rope_freqs.weight", nRot / 2)));
    }

    public Rope rope(Rope.Style style) {
        return rope(style, config.ropeDimensionCount, 1f);
    }

    /** The dense gated FFN of a block: {@code ffn_gate}, {@code ffn_up}, {@code ffn_down}. */
    public DenseFeedForward denseFfn(int l, int hidden) {
        int d = config.embeddingLength;
        return new DenseFeedForward(new GatedFfn.Weights(
                tensor(blk(l, "ffn_gate"), d, hidden),
                tensor(blk(l, "ffn_up"), d, hidden),
                tensor(blk(l, "ffn_down"), hidden, d)), GluActivation.SILU, mm);
    }

    /** A shared expert stored as {@code ffn_{gate,up,down}_shexp}, or null when absent. */
    public GatedFfn.Weights sharedExpert(int l, int hidden) {
        if (!has(blk(l, "ffn_gate_shexp"))) return null;
        int d = config.embeddingLength;
        return new GatedFfn.Weights(
                tensor(blk(l, "ffn_gate_shexp"), d, hidden),
                tensor(blk(l, "ffn_up_shexp"), d, hidden),
                tensor(blk(l, "ffn_down_shexp"), hidden, d));
    }

    /**
     * The routed-expert FFN of a block: router {@code ffn_gate_inp}, stacked experts
     * {@code ffn_{gate,up,down}_exps} (with optional biases), plus an optional shared expert.
     */
    public MoeFeedForward moeFfn(int l, RouterConfig rc, int expertHidden, GluActivation act,
                                 float[] routerBias, float[] selectionBias, GatedFfn.Weights shared, float[] sharedGate) {
        int d = config.embeddingLength;
        int e = rc.experts();
        Tensor router = tensor(blk(l, "ffn_gate_inp"), d, e);
        if (has(blk(l, "ffn_gate_exps"))) {
            experts.addLayer(l,
                    tensor(blk(l, "ffn_gate_exps"), d, expertHidden, e),
                    tensor(blk(l, "ffn_up_exps"), d, expertHidden, e),
                    tensor(blk(l, "ffn_down_exps"), expertHidden, d, e),
                    optionalMatrixAsArray(blkBias(l, "ffn_gate_exps"), expertHidden, e),
                    optionalMatrixAsArray(blkBias(l, "ffn_up_exps"), expertHidden, e),
                    optionalMatrixAsArray(blkBias(l, "ffn_down_exps"), d, e));
        } else if (has("blk." + l + ".ffn_gate.0.weight")) {
            // older Mixtral conversions store one tensor per expert
            GatedFfn.Weights[] w = new GatedFfn.Weights[e];
            for (int x = 0; x < e; x++) {
                w[x] = new GatedFfn.Weights(
                        tensor("blk." + l + ".ffn_gate." + x + ".weight", d, expertHidden),
                        tensor("blk." + l + ".ffn_up." + x + ".weight", d, expertHidden),
                        tensor("blk." + l + ".ffn_down." + x + ".weight", expertHidden, d));
            }
            experts.addLayer(l, w);
        } else {
            throw new GGUFFormatException("required tensor '" + blk(l, "ffn_gate_exps") + "' is missing");
        }
        Router r = new Router(l, rc, router, routerBias, selectionBias);
        return new MoeFeedForward(r, hooks, experts, act, mm, shared, sharedGate);
    }

    private float[] optionalMatrixAsArray(String name, int rows, int cols) {
        return file.hasTensor(name) ? tensor(name, rows, cols).toFloatArray() : null;
    }

    /** Standard top-k router of the given gating function, from the model's metadata. */
    public RouterConfig routerConfig(GatingFunction gating, boolean normalize, float scale) {
        return new RouterConfig(config.expertCount, config.expertUsedCount, gating, normalize, scale,
                config.expertGroupCount, config.expertGroupUsedCount);
    }
}
