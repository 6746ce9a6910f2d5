package org.moe4j.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.moe4j.tensor.GGMLType;

/**
 * Parses GGUF v2/v3 files. The whole file is memory-mapped (any size) and the header is parsed with
 * bounds checks on every read, so a truncated or hostile file fails with a {@link GGUFFormatException}
 * naming the problem instead of an exception deep in the JVM, a huge allocation or a hang: every count is
 * checked against the bytes left in the file before anything is allocated for it.
 */
public final class GGUFReader {
    public static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 8;
    private static final int MAX_KEY_BYTES = 65_535;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment file;
    private final long size;
    private long pos;

    private GGUFReader(MemorySegment file) {
        this.file = file;
        this.size = file.byteSize();
    }

    /** Memory-maps and parses a GGUF file. The returned file owns the mapping; close it to unmap. */
    public static GGUFFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            // The mapping is handed out as a plain native segment of the same memory and lifetime: the kernels
            // then see one segment class whether a weight lies in the file or in an expert cache's slab (two
            // classes at the same loads made the JIT's code for them about twice as slow).
            MemorySegment seg = size == 0 ? MemorySegment.NULL.reinterpret(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).reinterpret(size, arena, null);
            return new GGUFReader(seg).parse(path, arena);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GGUFFormatException("no such file: " + path, e);
        } catch (IOException e) {
            arena.close();
            throw new GGUFFormatException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            if (e instanceof GGUFFormatException g) {
                throw new GGUFFormatException(path.getFileName() + ": " + g.getMessage(), g);
            }
            throw e;
        }
    }

    /** Parses a GGUF image held in memory (used by tests and the fuzzer). */
    public static GGUFFile parse(MemorySegment image) {
        return new GGUFReader(image).parse(null, null);
    }

    private GGUFFile parse(Path path, Arena arena) {
        if (size < 4) {
            throw new GGUFFormatException("file is " + size + " bytes, too short to be GGUF");
        }
        int magic = file.get(I32, 0);
        if (magic != MAGIC) {
            throw new GGUFFormatException(String.format("not a GGUF file (magic 0x%08x, expected \"GGUF\")", magic));
        }
        pos = 4;
        int version = readI32("version");
        if (version == 1) {
            throw new GGUFFormatException("GGUF version 1 is not supported (obsolete since 2023); convert the model again");
        }
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw new GGUFFormatException("big-endian GGUF files are not supported");
            }
            throw new GGUFFormatException("unsupported GGUF version " + Integer.toUnsignedString(version));
        }
        long tensorCount = readI64("tensor count");
        long kvCount = readI64("metadata count");
        // each metadata entry takes >= 8 (key length) + 4 (type) + 1 bytes; each tensor >= 8 + 4 + 4 + 8 bytes
        checkCount(kvCount, 13, "metadata entries");
        checkCount(tensorCount, 24, "tensors");

        Map<String, GGUFValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = pos;
            String key = readString("key of metadata entry " + i, MAX_KEY_BYTES);
            GGUFValueType type = readType("metadata '" + key + "'");
            GGUFValue v = readValue(type, key, 0);
            if (metadata.put(key, v) != null) {
                throw new GGUFFormatException("duplicate metadata key '" + key + "' at offset " + at);
            }
        }

        int alignment = DEFAULT_ALIGNMENT;
        GGUFValue alignValue = metadata.get("general.alignment");
        if (alignValue != null) {
            if (!alignValue.type().isInteger()) {
                throw new GGUFFormatException("general.alignment must be an integer, is " + alignValue.type());
            }
            long a = (Long) alignValue.value();
            if (a <= 0 || a > (1 << 20) || (a & (a - 1)) != 0) {
                throw new GGUFFormatException("general.alignment must be a power of two up to 1 MiB, is " + a);
            }
            alignment = (int) a;
        }

        List<GGUFTensorInfo> tensors = new ArrayList<>((int) tensorCount);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = readString("name of tensor " + i, MAX_KEY_BYTES);
            int nDims = readI32("dimension count of tensor '" + name + "'");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new GGUFFormatException("tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (1 to " + MAX_DIMS + " allowed)");
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = readI64("dimension " + d + " of tensor '" + name + "'");
                if (dims[d] <= 0) {
                    throw new GGUFFormatException("tensor '" + name + "' has dimension " + d + " = " + Long.toUnsignedString(dims[d]) + " (must be positive)");
                }
                if (elements > Long.MAX_VALUE / dims[d]) {
                    throw new GGUFFormatException("tensor '" + name + "' has too many elements (overflow)");
                }
                elements *= dims[d];
            }
            int typeId = readI32("type of tensor '" + name + "'");
            GGMLType type = GGMLType.fromId(typeId);
            if (type == null) {
                throw new GGUFFormatException("tensor '" + name + "' has unknown type id " + Integer.toUnsignedString(typeId));
            }
            if (dims[0] % type.blockSize != 0) {
                throw new GGUFFormatException("tensor '" + name + "': row length " + dims[0] + " is not a multiple of the "
                        + type + " block size " + type.blockSize);
            }
            long offset = readI64("data offset of tensor '" + name + "'");
            if (offset < 0 || offset % alignment != 0) {
                throw new GGUFFormatException("tensor '" + name + "' has data offset " + Long.toUnsignedString(offset)
                        + " that is not a multiple of the alignment " + alignment);
            }
            if (!names.add(name)) {
                throw new GGUFFormatException("duplicate tensor name '" + name + "'");
            }
            tensors.add(new GGUFTensorInfo(name, dims, type, offset));
        }

        long dataStart = align(pos, alignment);
        long dataSize = Math.max(0, size - dataStart);
        for (GGUFTensorInfo t : tensors) {
            long bytes;
            try {
                bytes = t.byteSize();
            } catch (ArithmeticException e) {
                throw new GGUFFormatException("tensor '" + t.name() + "' is too large (size overflows)");
            }
            if (t.offset() > dataSize || bytes > dataSize - t.offset()) {
                throw new GGUFFormatException("tensor '" + t.name() + "' (" + t.type() + " " + java.util.Arrays.toString(t.dims())
                        + ", " + bytes + " bytes at data offset " + t.offset() + ") extends past the end of the file: data section has "
                        + dataSize + " bytes; the file is probably truncated");
            }
        }
        MemorySegment data = size > dataStart ? file.asSlice(dataStart) : file.asSlice(0, 0);
        return new GGUFFile(path, version, alignment, metadata, tensors, data, dataStart, arena);
    }

    private void checkCount(long count, int minBytesEach, String what) {
        long left = size - pos;
        if (count < 0 || count > left / minBytesEach) {
            throw new GGUFFormatException("header claims " + Long.toUnsignedString(count) + " " + what + ", but only "
                    + left + " bytes follow (file truncated or corrupt)");
        }
    }

    private static long align(long p, int alignment) {
        return (p + alignment - 1) / alignment * alignment;
    }

    private void need(long n, String what) {
        if (n < 0 || pos + n > size || pos + n < pos) {
            throw new GGUFFormatException("unexpected end of file at offset " + pos + " while reading " + what
                    + " (needs " + n + " bytes, " + (size - pos) + " left)");
        }
    }

    private int readI32(String what) {
        need(4, what);
        int v = file.get(I32, pos);
        pos += 4;
        return v;
    }

    private long readI64(String what) {
        need(8, what);
        long v = file.get(I64, pos);
        pos += 8;
        return v;
    }

    private GGUFValueType readType(String what) {
        int id = readI32("value type of " + what);
        GGUFValueType t = GGUFValueType.fromId(id);
        if (t == null) {
            throw new GGUFFormatException("unknown value type " + Integer.toUnsignedString(id) + " for " + what + " at offset " + (pos - 4));
        }
        return t;
    }

    private String readString(String what, long maxBytes) {
        long len = readI64("length of " + what);
        if (len < 0 || len > size - pos) {
            throw new GGUFFormatException("string length " + Long.toUnsignedString(len) + " of " + what + " at offset " + (pos - 8)
                    + " exceeds the " + (size - pos) + " bytes left in the file");
        }
        if (len > maxBytes) {
            throw new GGUFFormatException("string length " + len + " of " + what + " exceeds the limit of " + maxBytes + " bytes");
        }
        if (len > Integer.MAX_VALUE - 16) {
            throw new GGUFFormatException(what + " is too long (" + len + " bytes)");
        }
        byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Some converters write invalid UTF-8 into token lists; keep the file readable but do not guess silently.
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private GGUFValue readValue(GGUFValueType type, String key, int depth) {
        String what = "value of '" + key + "'";
        return switch (type) {
            case UINT8 -> { need(1, what); long v = Byte.toUnsignedLong(file.get(ValueLayout.JAVA_BYTE, pos)); pos += 1; yield GGUFValue.of(type, v); }
            case INT8 -> { need(1, what); long v = file.get(ValueLayout.JAVA_BYTE, pos); pos += 1; yield GGUFValue.of(type, v); }
            case UINT16 -> { need(2, what); long v = Short.toUnsignedLong(file.get(I16, pos)); pos += 2; yield GGUFValue.of(type, v); }
            case INT16 -> { need(2, what); long v = file.get(I16, pos); pos += 2; yield GGUFValue.of(type, v); }
            case UINT32 -> GGUFValue.of(type, Integer.toUnsignedLong(readI32(what)));
            case INT32 -> GGUFValue.of(type, (long) readI32(what));
            case UINT64, INT64 -> GGUFValue.of(type, readI64(what));
            case FLOAT32 -> { need(4, what); double v = file.get(F32, pos); pos += 4; yield GGUFValue.of(type, v); }
            case FLOAT64 -> { need(8, what); double v = file.get(F64, pos); pos += 8; yield GGUFValue.of(type, v); }
            case BOOL -> {
                need(1, what);
                byte b = file.get(ValueLayout.JAVA_BYTE, pos);
                pos += 1;
                if (b != 0 && b != 1) {
                    throw new GGUFFormatException("boolean " + what + " has value " + b + " at offset " + (pos - 1));
                }
                yield GGUFValue.of(type, b == 1);
            }
            case STRING -> GGUFValue.of(type, readString(what, Integer.MAX_VALUE - 16));
            case ARRAY -> readArray(key, depth);
        };
    }

    private GGUFValue readArray(String key, int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw new GGUFFormatException("arrays nested deeper than " + MAX_ARRAY_NESTING + " levels in '" + key + "'");
        }
        GGUFValueType et = readType("array elements of '" + key + "'");
        long n = readI64("array length of '" + key + "'");
        long left = size - pos;
        if (n < 0 || n > left / et.minEncodedSize() || n > Integer.MAX_VALUE - 16) {
            throw new GGUFFormatException("array '" + key + "' claims " + Long.toUnsignedString(n) + " elements of type " + et
                    + " but only " + left + " bytes follow");
        }
        int count = (int) n;
        String what = "array '" + key + "'";
        switch (et) {
            case STRING -> {
                String[] a = new String[count];
                for (int i = 0; i < count; i++) {
                    a[i] = readString("element " + i + " of " + what, Integer.MAX_VALUE - 16);
                }
                return GGUFValue.ofArray(et, a);
            }
            case ARRAY -> {
                List<GGUFValue> l = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    l.add(readArray(key + "[" + i + "]", depth + 1));
                }
                return GGUFValue.ofArray(et, l);
            }
            case FLOAT32, FLOAT64 -> {
                double[] a = new double[count];
                need((long) count * et.size, what);
                for (int i = 0; i < count; i++) {
                    a[i] = et == GGUFValueType.FLOAT32 ? file.get(F32, pos) : file.get(F64, pos);
                    pos += et.size;
                }
                return GGUFValue.ofArray(et, a);
            }
            case BOOL -> {
                boolean[] a = new boolean[count];
                need(count, what);
                for (int i = 0; i < count; i++) {
                    byte b = file.get(ValueLayout.JAVA_BYTE, pos++);
                    if (b != 0 && b != 1) {
                        throw new GGUFFormatException("boolean element " + i + " of " + what + " has value " + b);
                    }
                    a[i] = b == 1;
                }
                return GGUFValue.ofArray(et, a);
            }
            default -> {
                long[] a = new long[count];
                need((long) count * et.size, what);
                for (int i = 0; i < count; i++) {
                    a[i] = (Long) readValue(et, key, depth).value();
                }
                return GGUFValue.ofArray(et, a);
            }
        }
    }
}
