package org.moe4j.tools.train;

import java.nio.file.Path;
import org.moe4j.gguf.GGUFWriter;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Quantizer;
import org.moe4j.tensor.quant.Quantizers;
import org.moe4j.tools.synth.ModelSynthesizer;

/**
 * Writes a trained model as a standard {@code qwen3moe} GGUF file: the architecture's metadata keys and
 * tensor names, the embedding doubling as output head (no {@code output.weight}, which GGUF engines then
 * take from {@code token_embd}), the byte-level BPE vocabulary. Matrices are stored in the requested type
 * (quantized with moe4j's quantizers); norms and routers stay F32, as quantizers keep them.
 */
public final class GgufExport {
    public static final String ARCHITECTURE = "qwen3moe";

    private GgufExport() {
    }

    public static void write(Path path, ModelShape s, float[] params, BpeVocabulary vocab, GGMLType matrixType, String description) {
        if (matrixType != GGMLType.F32 && matrixType != GGMLType.F16 && matrixType != GGMLType.BF16 && matrixType != GGMLType.Q8_0) {
            throw new IllegalArgumentException("export supports F32, F16, BF16 and Q8_0 matrices, not " + matrixType);
        }
        if (vocab.size() != s.vocab()) throw new IllegalArgumentException("vocabulary has " + vocab.size() + " tokens, model " + s.vocab());
        String a = ARCHITECTURE + ".";
        GGUFWriter w = new GGUFWriter();
        w.putString("general.architecture", ARCHITECTURE);
        w.putString("general.name", s.dense() ? "moe4j dense baseline" : "moe4j MoE " + s.experts() + "x top-" + s.topK());
        w.putString("general.description", description);
        w.putUInt32("general.file_type", ModelSynthesizer.fileType(matrixType));
        w.putUInt32("general.quantization_version", 2);
        w.putUInt32(a + "vocab_size", s.vocab());
        w.putUInt32(a + "context_length", s.context());
        w.putUInt32(a + "embedding_length", s.dim());
        w.putUInt32(a + "block_count", s.layers());
        w.putUInt32(a + "feed_forward_length", s.expertHidden());
        w.putUInt32(a + "attention.head_count", s.heads());
        w.putUInt32(a + "attention.head_count_kv", s.kvHeads());
        w.putUInt32(a + "attention.key_length", s.headDim());
        w.putUInt32(a + "attention.value_length", s.headDim());
        w.putFloat32(a + "attention.layer_norm_rms_epsilon", s.normEps());
        w.putFloat32(a + "rope.freq_base", s.ropeBase());
        w.putUInt32(a + "rope.dimension_count", s.headDim());
        w.putUInt32(a + "expert_count", s.experts());
        w.putUInt32(a + "expert_used_count", s.topK());
        w.putUInt32(a + "expert_feed_forward_length", s.expertHidden());
        vocab.writeTo(w);
        for (ParameterLayout.Tensor t : new ParameterLayout(s).tensors()) {
            GGMLType type = typeOf(t, matrixType);
            w.addTensor(t.name(), type, t.dims(), out -> {
                int cols = (int) t.dims()[0];
                int rows = t.size() / cols;
                Quantizer q = Quantizers.of(type);
                byte[] row = new byte[(int) type.bytesFor(cols)];
                for (int r = 0; r < rows; r++) {
                    q.quantize(params, t.offset() + r * cols, cols, row, 0);
                    out.write(row);
                }
            });
        }
        w.write(path);
    }

    private static GGMLType typeOf(ParameterLayout.Tensor t, GGMLType matrixType) {
        boolean keepFloat = !t.matrix() || t.name().endsWith("ffn_gate_inp.weight");
        if (keepFloat) return GGMLType.F32;
        if (t.dims()[0] % matrixType.blockSize == 0) return matrixType;
        return t.dims()[0] % 32 == 0 ? GGMLType.Q8_0 : GGMLType.F16;
    }
}
