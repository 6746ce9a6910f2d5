package org.moe4j.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.moe4j.tensor.GGMLType;

/**
 * Writes GGUF v3 files. Tensors are declared up front with their shapes and types (so the header with
 * all offsets can be written first) and their bytes are streamed afterwards, one tensor at a time, so a
 * multi-gigabyte model is written without holding it in memory. The file appears under its final name
 * only when complete.
 */
public final class GGUFWriter {

    /** Produces the bytes of one tensor; must write exactly {@code type.bytesFor(elements)} bytes. */
    @FunctionalInterface
    public interface TensorBytes {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(String name, long[] dims, GGMLType type, TensorBytes bytes) {
        long byteSize() {
            long n = 1;
            for (long d : dims) n = Math.multiplyExact(n, d);
            return type.bytesFor(n);
        }
    }

    private final Map<String, GGUFValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();
    private int alignment = GGUFReader.DEFAULT_ALIGNMENT;

    public GGUFWriter put(String key, GGUFValue value) {
        metadata.put(key, value);
        if (key.equals("general.alignment")) {
            alignment = (int) (long) (Long) value.value();
        }
        return this;
    }

    public GGUFWriter putString(String key, String v) { return put(key, GGUFValue.ofString(v)); }
    public GGUFWriter putUInt32(String key, long v) { return put(key, GGUFValue.ofUInt32(v)); }
    public GGUFWriter putInt32(String key, long v) { return put(key, GGUFValue.ofInt32(v)); }
    public GGUFWriter putFloat32(String key, double v) { return put(key, GGUFValue.ofFloat32(v)); }
    public GGUFWriter putBool(String key, boolean v) { return put(key, GGUFValue.ofBool(v)); }

    public GGUFWriter putStrings(String key, String[] v) { return put(key, GGUFValue.ofArray(GGUFValueType.STRING, v)); }

    public GGUFWriter putFloats(String key, float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return put(key, GGUFValue.ofArray(GGUFValueType.FLOAT32, d));
    }

    public GGUFWriter putInts(String key, int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) l[i] = v[i];
        return put(key, GGUFValue.ofArray(GGUFValueType.INT32, l));
    }

    /** Copies every metadata entry of another file (e.g. when rewriting a model). */
    public GGUFWriter putAll(Map<String, GGUFValue> entries) {
        entries.forEach(this::put);
        return this;
    }

    public GGUFWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** Declares a tensor whose bytes are produced later by {@code bytes}. {@code dims[0]} is the row length. */
    public GGUFWriter addTensor(String name, GGMLType type, long[] dims, TensorBytes bytes) {
        if (dims.length < 1 || dims.length > 4) {
            throw new IllegalArgumentException(name + ": 1 to 4 dimensions");
        }
        if (dims[0] % type.blockSize != 0) {
            throw new IllegalArgumentException(name + ": row length " + dims[0] + " not a multiple of " + type + " block size");
        }
        for (Entry e : tensors) {
            if (e.name.equals(name)) throw new IllegalArgumentException("duplicate tensor " + name);
        }
        tensors.add(new Entry(name, dims.clone(), type, bytes));
        return this;
    }

    /** Declares a tensor copied from a memory segment (e.g. another file's mapping). */
    public GGUFWriter addTensor(String name, GGMLType type, long[] dims, MemorySegment src) {
        return addTensor(name, type, dims, out -> copy(src, out));
    }

    /** Declares an F32 tensor from a float array. */
    public GGUFWriter addTensor(String name, long[] dims, float[] values) {
        return addTensor(name, GGMLType.F32, dims, out -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            out.write(b.array());
        });
    }

    public static void copy(MemorySegment src, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 20];
        long n = src.byteSize();
        for (long off = 0; off < n; off += buf.length) {
            int len = (int) Math.min(buf.length, n - off);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, off, buf, 0, len);
            out.write(buf, 0, len);
        }
    }

    public long totalTensorBytes() {
        long s = 0;
        for (Entry e : tensors) s += e.byteSize();
        return s;
    }

    /** Writes the file; {@code progress} receives the number of tensor bytes written so far (may be null). */
    public void write(Path path, LongConsumer progress) {
        Path tmp = path.resolveSibling(path.getFileName() + ".part");
        try {
            if (path.getParent() != null) Files.createDirectories(path.getParent());
            try (CountingStream out = new CountingStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
                writeHeader(out);
                long written = 0;
                for (Entry e : tensors) {
                    pad(out);
                    long start = out.count;
                    e.bytes.writeTo(out);
                    long n = out.count - start;
                    if (n != e.byteSize()) {
                        throw new IllegalStateException("tensor " + e.name + " wrote " + n + " bytes, expected " + e.byteSize());
                    }
                    written += n;
                    if (progress != null) progress.accept(written);
                }
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
            throw new UncheckedIOException("cannot write " + path + ": " + ex.getMessage(), ex);
        }
    }

    public void write(Path path) {
        write(path, null);
    }

    private void writeHeader(CountingStream out) throws IOException {
        out.writeInt(GGUFReader.MAGIC);
        out.writeInt(3);
        out.writeLong(tensors.size());
        out.writeLong(metadata.size());
        for (Map.Entry<String, GGUFValue> kv : metadata.entrySet()) {
            out.writeString(kv.getKey());
            out.writeInt(kv.getValue().type().id);
            writeValue(out, kv.getValue());
        }
        long offset = 0;
        for (Entry e : tensors) {
            out.writeString(e.name);
            out.writeInt(e.dims.length);
            for (long d : e.dims) out.writeLong(d);
            out.writeInt(e.type.id);
            out.writeLong(offset);
            offset += e.byteSize();
            offset = (offset + alignment - 1) / alignment * alignment;
        }
    }

    private void pad(CountingStream out) throws IOException {
        while (out.count % alignment != 0) out.write(0);
    }

    private static void writeValue(CountingStream out, GGUFValue v) throws IOException {
        switch (v.type()) {
            case ARRAY -> {
                GGUFValueType et = v.elementType();
                out.writeInt(et.id);
                out.writeLong(v.arrayLength());
                switch (v.value()) {
                    case long[] a -> { for (long x : a) writeScalar(out, et, x); }
                    case double[] a -> { for (double x : a) writeScalar(out, et, x); }
                    case boolean[] a -> { for (boolean x : a) out.write(x ? 1 : 0); }
                    case String[] a -> { for (String s : a) out.writeString(s); }
                    case List<?> l -> { for (Object o : l) writeValue(out, (GGUFValue) o); }
                    default -> throw new IllegalArgumentException("bad array value " + v);
                }
            }
            case STRING -> out.writeString((String) v.value());
            case BOOL -> out.write((Boolean) v.value() ? 1 : 0);
            case FLOAT32, FLOAT64 -> writeScalar(out, v.type(), ((Number) v.value()).doubleValue());
            default -> writeScalar(out, v.type(), ((Number) v.value()).longValue());
        }
    }

    private static void writeScalar(CountingStream out, GGUFValueType t, long x) throws IOException {
        switch (t) {
            case UINT8, INT8 -> out.write((int) x);
            case UINT16, INT16 -> { out.write((int) x); out.write((int) (x >> 8)); }
            case UINT32, INT32 -> out.writeInt((int) x);
            case UINT64, INT64 -> out.writeLong(x);
            case FLOAT32, FLOAT64 -> writeScalar(out, t, (double) x);
            default -> throw new IllegalArgumentException("not a scalar type: " + t);
        }
    }

    private static void writeScalar(CountingStream out, GGUFValueType t, double x) throws IOException {
        switch (t) {
            case FLOAT32 -> out.writeInt(Float.floatToRawIntBits((float) x));
            case FLOAT64 -> out.writeLong(Double.doubleToRawLongBits(x));
            default -> writeScalar(out, t, (long) x);
        }
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) { this.out = out; }

        @Override public void write(int b) throws IOException { out.write(b); count++; }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); count += len; }
        @Override public void close() throws IOException { out.close(); }

        void writeInt(int v) throws IOException {
            for (int i = 0; i < 4; i++) write(v >>> (8 * i));
        }

        void writeLong(long v) throws IOException {
            for (int i = 0; i < 8; i++) write((int) (v >>> (8 * i)));
        }

        void writeString(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeLong(b.length);
            write(b, 0, b.length);
        }
    }
}
