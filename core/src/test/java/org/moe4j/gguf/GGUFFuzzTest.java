package org.moe4j.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.testing.SharedData;

/**
 * Hostile and damaged GGUF input: every mutation of a real file either loads or fails with a
 * {@link GGUFFormatException} (or a clear IllegalArgumentException from shape checks) that names the
 * problem; never another exception, an OOM, a hang or a crash.
 */
class GGUFFuzzTest {

    private static final List<String> FILES = List.of("qwen3moe.Q4_0.gguf", "gpt-oss.MXFP4_MOE.gguf",
            "granitemoe.gguf", "qwen2moe.gguf", "olmoe.gguf", "llama-moe.Q2_K.gguf");

    @Test
    void mutatedHeadersNeverCrashOrHang() throws IOException {
        Random rnd = new Random(20261122);
        int parsed = 0, rejected = 0;
        for (String name : FILES) {
            byte[] orig = Files.readAllBytes(SharedData.models().resolve(name));
            long headerEnd;
            try (GGUFFile f = GGUFReader.parse(segment(orig))) {
                headerEnd = f.dataOffset();
            }
            for (int iter = 0; iter < 150; iter++) {
                byte[] b = mutate(orig, (int) headerEnd, rnd);
                Outcome o = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> tryLoad(b),
                        () -> name + ": hang");
                if (o == Outcome.OK) parsed++;
                else rejected++;
            }
        }
        assertThat(rejected).as("most header mutations are detected").isGreaterThan(parsed / 4);
    }

    @Test
    void everyTruncationIsReported() throws IOException {
        byte[] orig = Files.readAllBytes(SharedData.models().resolve("granitemoe.gguf"));
        long dataStart;
        try (GGUFFile f = GGUFReader.parse(segment(orig))) {
            dataStart = f.dataOffset();
        }
        for (int len = 0; len < orig.length; len += (len < dataStart ? 7 : 4093)) {
            byte[] cut = java.util.Arrays.copyOf(orig, len);
            assertThatThrownBy(() -> GGUFReader.parse(segment(cut)).close())
                    .as("truncated at %d", len)
                    .isInstanceOf(GGUFFormatException.class)
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
        }
    }

    @Test
    void handCraftedHostileFiles() {
        // header claims an astronomical number of metadata entries
        assertRejected(header(3, 0, Long.MAX_VALUE), "metadata entries");
        assertRejected(header(3, -1L, 0), "tensors");
        assertRejected(new byte[]{1, 2, 3}, "too short");
        assertRejected(bytes(b -> b.putInt(0x12345678).putInt(3)), "not a GGUF file");
        assertRejected(header(1, 0, 0), "version 1");
        assertRejected(header(99, 0, 0), "unsupported GGUF version");
        assertRejected(bytes(b -> b.putInt(GGUFReader.MAGIC).putInt(Integer.reverseBytes(3))), "big-endian");
        // a string longer than the file
        assertRejected(bytes(b -> { putHeader(b, 0, 1); b.putLong(1L << 40).put(new byte[64]); }), "exceeds");
        // an array of 2^40 uint64
        assertRejected(bytes(b -> { putHeader(b, 0, 1); putKey(b, "a"); b.putInt(9).putInt(10).putLong(1L << 40); }), "claims");
        // arrays nested 100 deep
        assertRejected(bytes(b -> {
            putHeader(b, 0, 1);
            putKey(b, "nest");
            b.putInt(9);
            for (int i = 0; i < 100; i++) b.putInt(9).putLong(1);
        }), "nested");
        // unknown value type, invalid boolean
        assertRejected(bytes(b -> { putHeader(b, 0, 1); putKey(b, "x"); b.putInt(77); }), "unknown value type");
        assertRejected(bytes(b -> { putHeader(b, 0, 1); putKey(b, "x"); b.putInt(7).put((byte) 7); }), "boolean");
        // bad alignment
        assertRejected(bytes(b -> { putHeader(b, 0, 1); putKey(b, "general.alignment"); b.putInt(4).putInt(3); }), "alignment");
        // tensors: too many dims, zero dim, overflow, unknown type, beyond the end, duplicate
        assertRejected(tensor("t", new long[]{1, 1, 1, 1, 1}, 0, 0), "dimensions");
        assertRejected(tensor("t", new long[]{0}, 0, 0), "dimension 0");
        assertRejected(tensor("t", new long[]{1L << 40, 1L << 40}, 0, 0), "overflow");
        assertRejected(tensor("t", new long[]{32}, 1234, 0), "unknown type");
        assertRejected(tensor("t", new long[]{33}, 2, 0), "block size");
        assertRejected(tensor("t", new long[]{1024}, 0, 0), "past the end");
        assertRejected(tensor("t", new long[]{4}, 0, 8), "alignment");
    }

    @Test
    void wrongTensorShapeIsNamed(@TempDir Path dir) throws IOException {
        // a real model whose metadata claims a different width than its tensors have
        Path src = SharedData.models().resolve("qwen2moe.gguf");
        try (GGUFFile f = GGUFReader.open(src)) {
            GGUFWriter w = new GGUFWriter().putAll(f.metadata());
            w.put("qwen2moe.embedding_length", GGUFValue.ofUInt32(96));
            for (GGUFTensorInfo t : f.tensors()) w.addTensor(t.name(), t.type(), t.dims(), f.tensorData(t));
            Path bad = dir.resolve("bad.gguf");
            w.write(bad);
            assertThatThrownBy(() -> ModelLoader.load(bad, LoadOptions.defaults().withThreads(1)))
                    .isInstanceOf(GGUFFormatException.class)
                    .hasMessageContaining("token_embd.weight").hasMessageContaining("shape");
        }
    }

    enum Outcome { OK, REJECTED }

    private static Outcome tryLoad(byte[] b) {
        GGUFFile f;
        try {
            f = GGUFReader.parse(segment(b));
        } catch (GGUFFormatException e) {
            assertThat(e.getMessage()).isNotBlank();
            return Outcome.REJECTED;
        }
        try (Model m = ModelLoader.load(f, new LoadOptions(1, org.moe4j.tensor.NumericMode.NATIVE))) {
            KVCache cache = m.newCache(1, 8);
            float[] logits = new float[m.vocabSize()];
            m.forward(Batch.of(new int[]{1, 2}, 0, 0, false), cache, logits);
            return Outcome.OK;
        } catch (GGUFFormatException | IllegalArgumentException | UnsupportedOperationException e) {
            assertThat(e.getMessage()).isNotBlank();
            return Outcome.REJECTED;
        } catch (OutOfMemoryError | NegativeArraySizeException | ArrayIndexOutOfBoundsException | ArithmeticException e) {
            fail("mutation caused " + e, e);
            return Outcome.REJECTED;
        }
    }

    private static byte[] mutate(byte[] orig, int headerEnd, Random rnd) {
        byte[] b = orig.clone();
        int kind = rnd.nextInt(5);
        int at = rnd.nextInt(Math.max(1, headerEnd));
        switch (kind) {
            case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b[at] = (byte) rnd.nextInt(256);
            case 2 -> { // a boundary value over 8 bytes
                long[] vals = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 0xffffffffL, 1L << 62};
                ByteBuffer.wrap(b, Math.min(at, b.length - 8), 8).order(ByteOrder.LITTLE_ENDIAN).putLong(vals[rnd.nextInt(vals.length)]);
            }
            case 3 -> { // a boundary value over 4 bytes
                int[] vals = {0, 1, -1, Integer.MAX_VALUE, 255, 65536, 12, 9};
                ByteBuffer.wrap(b, Math.min(at, b.length - 4), 4).order(ByteOrder.LITTLE_ENDIAN).putInt(vals[rnd.nextInt(vals.length)]);
            }
            default -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
        }
        return b;
    }

    private static MemorySegment segment(byte[] b) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, b.length), 64);
        MemorySegment.copy(b, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
        return s.asSlice(0, b.length);
    }

    private static void assertRejected(byte[] file, String messagePart) {
        assertThatThrownBy(() -> GGUFReader.parse(segment(file)).close())
                .isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining(messagePart);
    }

    private interface Fill { void fill(ByteBuffer b); }

    private static byte[] bytes(Fill f) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        f.fill(b);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] header(int version, long tensors, long kvs) {
        return bytes(b -> b.putInt(GGUFReader.MAGIC).putInt(version).putLong(tensors).putLong(kvs));
    }

    private static void putHeader(ByteBuffer b, long tensors, long kvs) {
        b.putInt(GGUFReader.MAGIC).putInt(3).putLong(tensors).putLong(kvs);
    }

    private static void putKey(ByteBuffer b, String k) {
        byte[] kb = k.getBytes();
        b.putLong(kb.length).put(kb);
    }

    private static byte[] tensor(String name, long[] dims, int type, long offset) {
        return bytes(b -> {
            putHeader(b, 1, 0);
            putKey(b, name);
            b.putInt(dims.length);
            for (long d : dims) b.putLong(d);
            b.putInt(type).putLong(offset);
            while (b.position() % 32 != 0) b.put((byte) 0);
            b.put(new byte[16]);
        });
    }
}
