package org.moe4j.gguf;

import java.util.Arrays;
import org.moe4j.tensor.GGMLType;

/**
 * A tensor's entry in the GGUF header. {@code dims[0]} is the fastest-varying dimension (GGML's ne0);
 * {@code offset} is relative to the start of the data section.
 */
public record GGUFTensorInfo(String name, long[] dims, GGMLType type, long offset) {

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return type.bytesFor(elementCount());
    }

    public long dim(int i) {
        return i < dims.length ? dims[i] : 1;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GGUFTensorInfo t && t.name.equals(name) && Arrays.equals(t.dims, dims)
                && t.type == type && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }
}
