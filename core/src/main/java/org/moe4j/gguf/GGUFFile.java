package org.moe4j.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed GGUF file: its metadata, its tensor table and the memory-mapped data section.
 * Tensor data stays in the mapping (off the Java heap); {@link #close()} unmaps it.
 */
public final class GGUFFile implements AutoCloseable {
    private final Path path;
    private final int version;
    private final int alignment;
    private final Map<String, GGUFValue> metadata;
    private final List<GGUFTensorInfo> tensors;
    private final Map<String, GGUFTensorInfo> tensorsByName;
    private final MemorySegment data;
    private final long dataOffset;
    private final Arena arena;

    GGUFFile(Path path, int version, int alignment, Map<String, GGUFValue> metadata, List<GGUFTensorInfo> tensors,
             MemorySegment data, long dataOffset, Arena arena) {
        this.path = path;
        this.version = version;
        this.alignment = alignment;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = List.copyOf(tensors);
        Map<String, GGUFTensorInfo> byName = new LinkedHashMap<>();
        for (GGUFTensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = Collections.unmodifiableMap(byName);
        this.data = data;
        this.dataOffset = dataOffset;
        this.arena = arena;
    }

    public Path path() { return path; }
    public int version() { return version; }
    public int alignment() { return alignment; }
    public Map<String, GGUFValue> metadata() { return metadata; }
    public List<GGUFTensorInfo> tensors() { return tensors; }
    /** File offset where the tensor data section begins. */
    public long dataOffset() { return dataOffset; }

    public Optional<GGUFTensorInfo> tensorInfo(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    public boolean hasTensor(String name) {
        return tensorsByName.containsKey(name);
    }

    /** The bytes of a tensor, a view into the mapping. */
    public MemorySegment tensorData(GGUFTensorInfo t) {
        return data.asSlice(t.offset(), t.byteSize());
    }

    /** Page size assumed when faulting tensors in; a smaller real page only means fewer reads than pages. */
    private static final int PAGE = 4096;

    /** Written by {@link #faultIn}, so the JIT cannot drop its page reads. */
    private static volatile byte pageSink;

    /**
     * Reads one byte of every page of a tensor, so its pages come in now, in order, rather than piecemeal on
     * first use (each such fault also brings in the kernel's read-around of neighbouring tensors).
     */
    public void faultIn(GGUFTensorInfo t) {
        MemorySegment d = tensorData(t);
        byte x = 0;
        for (long o = 0; o < d.byteSize(); o += PAGE) x ^= d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o);
        pageSink = x;
    }

    /** File offset of a tensor's first byte (for positional reads that bypass the mapping). */
    public long fileOffset(GGUFTensorInfo t) {
        return dataOffset + t.offset();
    }

    /** File offset of the first byte of a view into this file's tensor data (e.g. one expert of a stacked tensor). */
    public long fileOffsetOf(MemorySegment view) {
        long rel = view.address() - data.address();
        if (rel < 0 || rel + view.byteSize() > data.byteSize()) {
            throw new IllegalArgumentException("the segment is not a view of " + this);
        }
        return dataOffset + rel;
    }

    // ---- typed metadata access -------------------------------------------------------------

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public GGUFValue value(String key) {
        return metadata.get(key);
    }

    public String getString(String key, String def) {
        GGUFValue v = metadata.get(key);
        if (v == null) {
            return def;
        }
        if (v.type() != GGUFValueType.STRING) {
            throw new GGUFFormatException("metadata '" + key + "' should be a string, is " + v.type());
        }
        return (String) v.value();
    }

    public String requireString(String key) {
        String s = getString(key, null);
        if (s == null) {
            throw new GGUFFormatException("required metadata '" + key + "' is missing");
        }
        return s;
    }

    public long getLong(String key, long def) {
        GGUFValue v = metadata.get(key);
        if (v == null) {
            return def;
        }
        return switch (v.value()) {
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            case Double d when d == Math.rint(d) -> d.longValue();
            default -> throw new GGUFFormatException("metadata '" + key + "' should be an integer, is " + v.type());
        };
    }

    public int getInt(String key, int def) {
        long v = getLong(key, def);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new GGUFFormatException("metadata '" + key + "' = " + v + " is out of range");
        }
        return (int) v;
    }

    public int requireInt(String key) {
        if (!metadata.containsKey(key)) {
            throw new GGUFFormatException("required metadata '" + key + "' is missing");
        }
        return getInt(key, 0);
    }

    public double getDouble(String key, double def) {
        GGUFValue v = metadata.get(key);
        if (v == null) {
            return def;
        }
        return switch (v.value()) {
            case Double d -> d;
            case Long l -> l;
            default -> throw new GGUFFormatException("metadata '" + key + "' should be a number, is " + v.type());
        };
    }

    public float getFloat(String key, float def) {
        return (float) getDouble(key, def);
    }

    public boolean getBoolean(String key, boolean def) {
        GGUFValue v = metadata.get(key);
        if (v == null) {
            return def;
        }
        return switch (v.value()) {
            case Boolean b -> b;
            case Long l -> l != 0;
            default -> throw new GGUFFormatException("metadata '" + key + "' should be a boolean, is " + v.type());
        };
    }

    public String[] getStringArray(String key) {
        GGUFValue v = metadata.get(key);
        if (v == null) {
            return null;
        }
        if (!(v.value() instanceof String[] a)) {
            throw new GGUFFormatException("metadata '" + key + "' should be an array of strings, is " + describe(v));
        }
        return a;
    }

    public float[] getFloatArray(String key) {
        GGUFValue v = metadata.get(key);
        if (v == null) {
            return null;
        }
        return switch (v.value()) {
            case double[] a -> {
                float[] f = new float[a.length];
                for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
                yield f;
            }
            case long[] a -> {
                float[] f = new float[a.length];
                for (int i = 0; i < a.length; i++) f[i] = a[i];
                yield f;
            }
            default -> throw new GGUFFormatException("metadata '" + key + "' should be a numeric array, is " + describe(v));
        };
    }

    public int[] getIntArray(String key) {
        GGUFValue v = metadata.get(key);
        if (v == null) {
            return null;
        }
        if (!(v.value() instanceof long[] a)) {
            throw new GGUFFormatException("metadata '" + key + "' should be an integer array, is " + describe(v));
        }
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] < Integer.MIN_VALUE || a[i] > Integer.MAX_VALUE) {
                throw new GGUFFormatException("metadata '" + key + "'[" + i + "] = " + a[i] + " is out of range");
            }
            r[i] = (int) a[i];
        }
        return r;
    }

    /**
     * An integer that may be stored per layer (an array) or once for all layers (a scalar), as several
     * architectures do for head counts and feed-forward widths.
     */
    public int[] getPerLayerInt(String key, int layers, int def) {
        int[] r = new int[layers];
        GGUFValue v = metadata.get(key);
        if (v != null && v.isArray()) {
            int[] a = getIntArray(key);
            if (a.length != layers) {
                throw new GGUFFormatException("metadata '" + key + "' has " + a.length + " entries for " + layers + " layers");
            }
            return a;
        }
        java.util.Arrays.fill(r, v == null ? def : getInt(key, def));
        return r;
    }

    private static String describe(GGUFValue v) {
        return v.isArray() ? "an array of " + v.elementType() : v.type().toString();
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GGUF v" + version + " " + (path == null ? "(memory)" : path) + " (" + metadata.size() + " metadata keys, "
                + tensors.size() + " tensors)";
    }
}
