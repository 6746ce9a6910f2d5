package org.moe4j.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.moe4j.tensor.quant.QuantFormat;
import org.moe4j.tensor.quant.QuantFormats;
import org.moe4j.tensor.quant.reference.ReferenceFormats;

/**
 * A view of tensor bytes (usually inside a memory-mapped GGUF file) with its type and shape.
 * {@code dims[0]} is the row length (GGML's ne0); a weight matrix {@code [in, out]} has {@code out} rows
 * of {@code in} elements and computes {@code y[o] = sum_i W[o][i] x[i]}. A 3-D expert tensor
 * {@code [in, out, n_expert]} holds one such matrix per expert, see {@link #slice(int)}.
 */
public final class Tensor {
    private final String name;
    private final GGMLType type;
    private final long[] dims;
    private final MemorySegment data;
    private final QuantFormat format;

    public Tensor(String name, GGMLType type, long[] dims, MemorySegment data) {
        this.name = name;
        this.type = type;
        this.dims = dims.clone();
        this.data = data;
        this.format = QuantFormats.of(type);
        long expected = type.bytesFor(elementCount());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for " + type + Arrays.toString(dims)
                    + ", expected " + expected);
        }
    }

    public String name() { return name; }
    public GGMLType type() { return type; }
    public long[] dims() { return dims.clone(); }
    public long dim(int i) { return i < dims.length ? dims[i] : 1; }
    public int rank() { return dims.length; }
    public MemorySegment data() { return data; }
    public QuantFormat format() { return format; }

    /** Elements per row. */
    public int cols() { return Math.toIntExact(dims[0]); }

    /** Number of rows (product of all dimensions but the first). */
    public long rowCount() {
        long r = 1;
        for (int i = 1; i < dims.length; i++) r *= dims[i];
        return r;
    }

    /** Rows of a matrix; for a 3-D tensor the rows of one slice. */
    public int rows() { return Math.toIntExact(dim(1)); }

    public long elementCount() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    public long rowBytes() { return type.bytesFor(dims[0]); }

    public long byteSize() { return data.byteSize(); }

    /** The {@code i}-th 2-D matrix of a 3-D tensor (one expert of a stacked expert tensor). */
    public Tensor slice(int i) {
        if (dims.length != 3) {
            throw new IllegalStateException(name + " is not 3-D: " + Arrays.toString(dims));
        }
        long bytes = rowBytes() * dims[1];
        return new Tensor(name + "[" + i + "]", type, new long[]{dims[0], dims[1]}, data.asSlice(bytes * i, bytes));
    }

    /** Dequantizes row {@code row} into {@code dst[off .. off + cols)}. */
    public void dequantizeRow(long row, float[] dst, int off) {
        format.dequantize(data, row * rowBytes(), dst, off, cols());
    }

    /**
     * {@link #dequantizeRow} for lookups of one row per token (token embeddings), with the scalar
     * reference code, which gives the same bits. A method called once per token takes thousands of
     * tokens to be compiled by C2, and until then every vector operation allocates a box; scalar code
     * allocates nothing in any tier, so decoding allocates nothing per token from the first one.
     */
    public void lookupRow(long row, float[] dst, int off) {
        QuantFormat scalar = ReferenceFormats.of(type);
        (scalar != null ? scalar : format).dequantize(data, row * rowBytes(), dst, off, cols());
    }

    /** Dequantizes the whole tensor onto the heap (for small tensors: norms, biases). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(elementCount())];
        format.dequantize(data, 0, out, 0, out.length);
        return out;
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(dims);
    }
}
