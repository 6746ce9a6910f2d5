package org.moe4j.tools.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every parameter tensor lives in the one flat float array that holds them all (and, with the same
 * offsets, their gradients and optimizer moments). Tensors carry their GGUF names and dimensions
 * ({@code dims[0]} is the row length), so export and checkpoints need no second naming scheme.
 */
public final class ParameterLayout {

    /** One tensor: a GGUF name, its dims, its offset in the flat array, and whether weight decay applies. */
    public record Tensor(String name, long[] dims, int offset, int size, boolean matrix) {
    }

    /** Offsets of one block's tensors. */
    public record Block(int attnNorm, int wq, int wk, int wv, int wo, int qNorm, int kNorm, int ffnNorm,
                        int router, int gate, int up, int down) {
    }

    private final Map<String, Tensor> byName = new LinkedHashMap<>();
    private final List<Block> blocks = new ArrayList<>();
    private final int embedding;
    private final int outputNorm;
    private int size;

    public ParameterLayout(ModelShape s) {
        int d = s.dim();
        embedding = add("token_embd.weight", true, d, s.vocab());
        outputNorm = add("output_norm.weight", false, d);
        for (int l = 0; l < s.layers(); l++) {
            String b = "blk." + l + ".";
            blocks.add(new Block(
                    add(b + "attn_norm.weight", false, d),
                    add(b + "attn_q.weight", true, d, s.qWidth()),
                    add(b + "attn_k.weight", true, d, s.kvWidth()),
                    add(b + "attn_v.weight", true, d, s.kvWidth()),
                    add(b + "attn_output.weight", true, s.qWidth(), d),
                    add(b + "attn_q_norm.weight", false, s.headDim()),
                    add(b + "attn_k_norm.weight", false, s.headDim()),
                    add(b + "ffn_norm.weight", false, d),
                    add(b + "ffn_gate_inp.weight", true, d, s.experts()),
                    add(b + "ffn_gate_exps.weight", true, d, s.expertHidden(), s.experts()),
                    add(b + "ffn_up_exps.weight", true, d, s.expertHidden(), s.experts()),
                    add(b + "ffn_down_exps.weight", true, s.expertHidden(), d, s.experts())));
        }
    }

    private int add(String name, boolean matrix, long... dims) {
        long n = 1;
        for (long x : dims) n *= x;
        if (size + n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("model too large for training in one array");
        int off = size;
        byName.put(name, new Tensor(name, dims, off, (int) n, matrix));
        size += (int) n;
        return off;
    }

    public int size() {
        return size;
    }

    public int embedding() {
        return embedding;
    }

    public int outputNorm() {
        return outputNorm;
    }

    public Block block(int l) {
        return blocks.get(l);
    }

    public List<Tensor> tensors() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public Tensor tensor(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter tensor " + name);
        return t;
    }
}
