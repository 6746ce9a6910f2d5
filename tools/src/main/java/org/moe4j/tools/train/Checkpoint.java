package org.moe4j.tools.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFFormatException;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFWriter;

/**
 * A training checkpoint, stored as a GGUF file (so the hostile-input-safe reader checks it): the shape,
 * settings and {@link TrainState} as JSON metadata, the vocabulary under the usual tokenizer keys, and every
 * parameter tensor with its two AdamW moments as F32 tensors {@code param.*}, {@code adam_m.*}, {@code adam_v.*}.
 * Written to a temporary name and renamed, so an interrupted save never leaves a broken checkpoint.
 */
public final class Checkpoint {
    static final String KIND = "moe4j-train-checkpoint";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What a checkpoint holds. */
    public record Contents(ModelShape shape, TrainSettings settings, TrainState state, BpeVocabulary vocab,
                           float[] params, float[] m, float[] v) {
    }

    private Checkpoint() {
    }

    public static void save(Path path, Contents c) {
        GGUFWriter w = new GGUFWriter();
        w.putString("general.architecture", KIND);
        w.putString("moe4j.train.shape", json(c.shape()));
        w.putString("moe4j.train.settings", json(c.settings()));
        w.putString("moe4j.train.state", json(c.state()));
        c.vocab().writeTo(w);
        ParameterLayout layout = new ParameterLayout(c.shape());
        for (ParameterLayout.Tensor t : layout.tensors()) {
            w.addTensor("param." + t.name(), t.dims(), slice(c.params(), t));
            w.addTensor("adam_m." + t.name(), t.dims(), slice(c.m(), t));
            w.addTensor("adam_v." + t.name(), t.dims(), slice(c.v(), t));
        }
        w.write(path);
    }

    public static Contents load(Path path) {
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException("checkpoint not found: " + path);
        try (GGUFFile f = GGUFReader.open(path)) {
            if (!KIND.equals(f.getString("general.architecture", ""))) {
                throw new IllegalArgumentException(path + " is not a moe4j training checkpoint");
            }
            ModelShape shape = JSON.readValue(f.requireString("moe4j.train.shape"), ModelShape.class);
            TrainSettings settings = JSON.readValue(f.requireString("moe4j.train.settings"), TrainSettings.class);
            TrainState state = JSON.readValue(f.requireString("moe4j.train.state"), TrainState.class);
            BpeVocabulary vocab = BpeVocabulary.fromGGUF(f);
            if (vocab.size() != shape.vocab()) throw new IllegalArgumentException(path + ": vocabulary size does not match the model");
            ParameterLayout layout = new ParameterLayout(shape);
            float[] p = new float[layout.size()], m = new float[layout.size()], v = new float[layout.size()];
            for (ParameterLayout.Tensor t : layout.tensors()) {
                read(f, "param." + t.name(), t, p);
                read(f, "adam_m." + t.name(), t, m);
                read(f, "adam_v." + t.name(), t, v);
            }
            return new Contents(shape, settings, state, vocab, p, m, v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(path + ": corrupt training metadata: " + e.getOriginalMessage(), e);
        }
    }

    private static void read(GGUFFile f, String name, ParameterLayout.Tensor t, float[] into) {
        var info = f.tensorInfo(name).orElseThrow(() -> new GGUFFormatException("checkpoint tensor " + name + " is missing"));
        MemorySegment data = f.tensorData(info);
        if (info.type() != org.moe4j.tensor.GGMLType.F32 || data.byteSize() != 4L * t.size()) {
            throw new GGUFFormatException("checkpoint tensor " + name + " has the wrong type or size");
        }
        MemorySegment.copy(data, F32, 0, into, t.offset(), t.size());
    }

    private static float[] slice(float[] a, ParameterLayout.Tensor t) {
        return java.util.Arrays.copyOfRange(a, t.offset(), t.offset() + t.size());
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
