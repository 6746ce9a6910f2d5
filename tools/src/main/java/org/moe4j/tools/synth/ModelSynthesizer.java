package org.moe4j.tools.synth;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.moe4j.gguf.GGUFWriter;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Quantizer;
import org.moe4j.tensor.quant.Quantizers;
import org.moe4j.util.Progress;

/**
 * Writes a random-weight model of a given shape and tensor type: benchmark fodder that loads in moe4j
 * and in other GGUF engines (standard tensor names and metadata, a byte-level BPE vocabulary).
 *
 * <p>Weights follow the scheme of the conformance models: matrices N(0, (g/sqrt(fan_in))^2) with g = 0.7
 * for output projections (attention output, FFN down) and 1 otherwise, so activations stay of order one
 * through any depth; routers N(0, 1/fan_in), which gives router logits of unit spread and therefore
 * non-degenerate routing; norm weights 1 + N(0, 0.1^2); biases N(0, 0.1^2); embeddings N(0, 1).
 * Norms, routers and biases stay F32 (as quantizers keep them); every matrix is stored in the requested
 * type, or in Q8_0 (then F16) where its rows do not fill whole blocks of that type.
 */
public final class ModelSynthesizer {
    private final Preset p;
    private final GGMLType type;
    private final long seed;

    public ModelSynthesizer(Preset preset, GGMLType type, long seed) {
        if (!Quantizers.isSupported(type)) {
            Quantizers.of(type); // throws, naming the supported types
        }
        this.p = preset;
        this.type = type;
        this.seed = seed;
    }

    private record Spec(String name, long[] dims, GGMLType type, Kind kind, float scale) {
    }

    private enum Kind { GAUSSIAN, NORM, BIAS }

    /** Tensors of the model, in file order. */
    private List<Spec> tensors() {
        List<Spec> t = new ArrayList<>();
        int d = p.embedding();
        int qw = p.heads() * p.headDim();
        int kw = p.headsKv() * p.headDim();
        String arch = p.arch();
        boolean tied = arch.equals("granitemoe");
        t.add(matrix("token_embd.weight", d, p.vocab(), 1f, tied ? GGMLType.F32 : null, true));
        t.add(new Spec("output_norm.weight", new long[]{d}, GGMLType.F32, Kind.NORM, 0));
        if (!tied) t.add(matrix("output.weight", d, p.vocab(), 1f, null, false));
        for (int l = 0; l < p.layers(); l++) {
            String b = "blk." + l + ".";
            t.add(new Spec(b + "attn_norm.weight", new long[]{d}, GGMLType.F32, Kind.NORM, 0));
            t.add(matrix(b + "attn_q.weight", d, qw, 1f, null, false));
            t.add(matrix(b + "attn_k.weight", d, kw, 1f, null, false));
            t.add(matrix(b + "attn_v.weight", d, kw, 1f, null, false));
            t.add(matrix(b + "attn_output.weight", qw, d, 0.7f, null, false));
            if (arch.equals("qwen2moe")) {
                t.add(new Spec(b + "attn_q.bias", new long[]{qw}, GGMLType.F32, Kind.BIAS, 0.1f));
                t.add(new Spec(b + "attn_k.bias", new long[]{kw}, GGMLType.F32, Kind.BIAS, 0.1f));
                t.add(new Spec(b + "attn_v.bias", new long[]{kw}, GGMLType.F32, Kind.BIAS, 0.1f));
            }
            if (arch.equals("qwen3moe")) {
                t.add(new Spec(b + "attn_q_norm.weight", new long[]{p.headDim()}, GGMLType.F32, Kind.NORM, 0));
                t.add(new Spec(b + "attn_k_norm.weight", new long[]{p.headDim()}, GGMLType.F32, Kind.NORM, 0));
            }
            if (arch.equals("olmoe")) {
                t.add(new Spec(b + "attn_q_norm.weight", new long[]{qw}, GGMLType.F32, Kind.NORM, 0));
                t.add(new Spec(b + "attn_k_norm.weight", new long[]{kw}, GGMLType.F32, Kind.NORM, 0));
            }
            t.add(new Spec(b + "ffn_norm.weight", new long[]{d}, GGMLType.F32, Kind.NORM, 0));
            int ff = p.expertHidden();
            if (p.isMoe()) {
                int e = p.experts();
                t.add(new Spec(b + "ffn_gate_inp.weight", new long[]{d, e}, GGMLType.F32, Kind.GAUSSIAN, (float) (1 / Math.sqrt(d))));
                t.add(matrix3(b + "ffn_gate_exps.weight", d, ff, e, 1f));
                t.add(matrix3(b + "ffn_up_exps.weight", d, ff, e, 1f));
                t.add(matrix3(b + "ffn_down_exps.weight", ff, d, e, 0.7f));
                if (p.sharedHidden() > 0) {
                    int s = p.sharedHidden();
                    t.add(new Spec(b + "ffn_gate_inp_shexp.weight", new long[]{d}, GGMLType.F32, Kind.BIAS, 0.1f));
                    t.add(matrix(b + "ffn_gate_shexp.weight", d, s, 1f, null, false));
                    t.add(matrix(b + "ffn_up_shexp.weight", d, s, 1f, null, false));
                    t.add(matrix(b + "ffn_down_shexp.weight", s, d, 0.7f, null, false));
                }
            } else {
                t.add(matrix(b + "ffn_gate.weight", d, ff, 1f, null, false));
                t.add(matrix(b + "ffn_up.weight", d, ff, 1f, null, false));
                t.add(matrix(b + "ffn_down.weight", ff, d, 0.7f, null, false));
            }
        }
        return t;
    }

    private Spec matrix(String name, int in, int out, float g, GGMLType forced, boolean embedding) {
        GGMLType ty = forced != null ? forced : typeFor(in);
        float scale = embedding ? 1f : (float) (g / Math.sqrt(in));
        return new Spec(name, new long[]{in, out}, ty, Kind.GAUSSIAN, scale);
    }

    private Spec matrix3(String name, int in, int out, int n, float g) {
        return new Spec(name, new long[]{in, out, n}, typeFor(in), Kind.GAUSSIAN, (float) (g / Math.sqrt(in)));
    }

    /** The requested type where rows fill its blocks, else the closest type that fits. */
    private GGMLType typeFor(int rowLength) {
        if (rowLength % type.blockSize == 0) return type;
        if (rowLength % 32 == 0) return GGMLType.Q8_0;
        return GGMLType.F16;
    }

    /** Total bytes of tensor data the file will hold. */
    public long dataBytes() {
        long s = 0;
        for (Spec t : tensors()) {
            long n = 1;
            for (long x : t.dims) n *= x;
            s += t.type.bytesFor(n);
        }
        return s;
    }

    public void write(Path out, boolean showProgress) {
        SyntheticVocabulary vocab = SyntheticVocabulary.generate(p.vocab(), seed);
        GGUFWriter w = new GGUFWriter();
        String a = p.arch();
        w.putString("general.architecture", a);
        w.putString("general.name", "moe4j synthetic " + p.name() + " " + type);
        w.putString("general.description", "random weights made by moe4j synth (seed " + seed + "): " + p.description());
        w.putUInt32("general.file_type", fileType(type));
        w.putUInt32("general.quantization_version", 2);
        w.putUInt32(a + ".vocab_size", p.vocab());
        w.putUInt32(a + ".context_length", p.context());
        w.putUInt32(a + ".embedding_length", p.embedding());
        w.putUInt32(a + ".block_count", p.layers());
        w.putUInt32(a + ".feed_forward_length", p.expertHidden());
        w.putUInt32(a + ".attention.head_count", p.heads());
        w.putUInt32(a + ".attention.head_count_kv", p.headsKv());
        w.putUInt32(a + ".attention.key_length", p.headDim());
        w.putUInt32(a + ".attention.value_length", p.headDim());
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-6);
        w.putFloat32(a + ".rope.freq_base", p.ropeBase());
        w.putUInt32(a + ".rope.dimension_count", p.headDim());
        if (p.isMoe()) {
            w.putUInt32(a + ".expert_count", p.experts());
            w.putUInt32(a + ".expert_used_count", p.expertsUsed());
            w.putUInt32(a + ".expert_feed_forward_length", p.expertHidden());
            if (p.sharedHidden() > 0) w.putUInt32(a + ".expert_shared_feed_forward_length", p.sharedHidden());
        }
        if (a.equals("granitemoe")) {
            w.putFloat32(a + ".embedding_scale", 12.0);
            w.putFloat32(a + ".residual_scale", 0.22);
            w.putFloat32(a + ".attention.scale", 0.015625);
            w.putFloat32(a + ".logit_scale", 6.0);
        }
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", "gpt-2");
        w.putStrings("tokenizer.ggml.tokens", vocab.tokens);
        w.putInts("tokenizer.ggml.token_type", vocab.types);
        w.putStrings("tokenizer.ggml.merges", vocab.merges);
        w.putUInt32("tokenizer.ggml.bos_token_id", vocab.eos);
        w.putUInt32("tokenizer.ggml.eos_token_id", vocab.eos);
        w.putBool("tokenizer.ggml.add_bos_token", false);

        for (Spec t : tensors()) {
            w.addTensor(t.name, t.type, t.dims, os -> writeTensor(t, os));
        }
        long total = w.totalTensorBytes();
        if (showProgress) {
            try (Progress bar = new Progress("writing " + out.getFileName(), total, "bytes")) {
                w.write(out, bar::set);
            }
        } else {
            w.write(out);
        }
    }

    /** Generates and encodes a tensor in blocks of rows, in parallel, each block seeded by its index. */
    private void writeTensor(Spec t, OutputStream os) throws IOException {
        int cols = (int) t.dims[0];
        long rows = 1;
        for (int i = 1; i < t.dims.length; i++) rows *= t.dims[i];
        long rowBytes = t.type.bytesFor(cols);
        int rowsPerBlock = (int) Math.max(1, Math.min(rows, (4L << 20) / Math.max(1, rowBytes)));
        int threads = Runtime.getRuntime().availableProcessors();
        int chunk = rowsPerBlock * threads;
        byte[] buf = new byte[(int) (rowBytes * Math.min(rows, chunk))];
        long nameSeed = seed * 31 + t.name.hashCode();
        for (long r0 = 0; r0 < rows; r0 += chunk) {
            long first = r0;
            int n = (int) Math.min(chunk, rows - r0);
            int blocks = (n + rowsPerBlock - 1) / rowsPerBlock;
            Quantizer encoder = Quantizers.of(t.type);
            IntStream.range(0, blocks).parallel().forEach(bi -> {
                float[] row = new float[cols];
                long start = first + (long) bi * rowsPerBlock;
                int count = (int) Math.min(rowsPerBlock, first + n - start);
                FastGaussian g = new FastGaussian(nameSeed ^ (start * 0x632BE59BD9B4E019L));
                for (int r = 0; r < count; r++) {
                    for (int i = 0; i < cols; i++) {
                        row[i] = switch (t.kind) {
                            case GAUSSIAN -> g.next01() * t.scale;
                            case NORM -> 1f + 0.1f * g.next01();
                            case BIAS -> t.scale * g.next01();
                        };
                    }
                    encoder.quantize(row, 0, cols, buf, (int) ((start - first + r) * rowBytes));
                }
            });
            os.write(buf, 0, (int) (n * rowBytes));
        }
    }

    /** llama.cpp's {@code general.file_type} code of a type (the "mostly X" value). */
    public static int fileType(GGMLType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 12;
            case Q4_K -> 15;
            case Q5_K -> 17;
            case Q6_K -> 18;
            case IQ4_NL -> 25;
            case BF16 -> 32;
            case MXFP4 -> 38;
            default -> 0;
        };
    }
}
