package org.moe4j.gguf;

import java.util.Arrays;
import java.util.List;

/**
 * One metadata value with its GGUF type, kept so a file can be rewritten with exactly the types it had.
 *
 * <p>Java representation: integers as {@code Long} (unsigned 64-bit values above {@code Long.MAX_VALUE} wrap,
 * as in the file), floats as {@code Double}, {@code Boolean}, {@code String}; arrays as primitive arrays for
 * numeric element types ({@code long[]}, {@code double[]}, {@code boolean[]}), {@code String[]} for strings and
 * {@code List<GGUFValue>} for nested arrays.
 */
public record GGUFValue(GGUFValueType type, GGUFValueType elementType, Object value) {

    public static GGUFValue of(GGUFValueType type, Object value) {
        return new GGUFValue(type, null, value);
    }

    public static GGUFValue ofString(String s) {
        return new GGUFValue(GGUFValueType.STRING, null, s);
    }

    public static GGUFValue ofUInt32(long v) {
        return new GGUFValue(GGUFValueType.UINT32, null, v);
    }

    public static GGUFValue ofInt32(long v) {
        return new GGUFValue(GGUFValueType.INT32, null, v);
    }

    public static GGUFValue ofFloat32(double v) {
        return new GGUFValue(GGUFValueType.FLOAT32, null, (double) (float) v);
    }

    public static GGUFValue ofBool(boolean v) {
        return new GGUFValue(GGUFValueType.BOOL, null, v);
    }

    public static GGUFValue ofArray(GGUFValueType elementType, Object array) {
        return new GGUFValue(GGUFValueType.ARRAY, elementType, array);
    }

    public boolean isArray() {
        return type == GGUFValueType.ARRAY;
    }

    /** Number of elements of an array value. */
    public int arrayLength() {
        return switch (value) {
            case long[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case String[] a -> a.length;
            case List<?> l -> l.size();
            default -> throw new IllegalStateException("not an array: " + type);
        };
    }

    @Override
    public String toString() {
        return switch (value) {
            case long[] a -> summarize(Arrays.toString(a), a.length);
            case double[] a -> summarize(Arrays.toString(a), a.length);
            case boolean[] a -> summarize(Arrays.toString(a), a.length);
            case String[] a -> summarize(Arrays.toString(a), a.length);
            case List<?> l -> summarize(l.toString(), l.size());
            case String s -> s.length() > 120 ? "\"" + s.substring(0, 117).replace("\n", "\\n") + "...\"" : "\"" + s.replace("\n", "\\n") + "\"";
            case Double d when type == GGUFValueType.FLOAT32 -> Float.toString(d.floatValue());
            default -> String.valueOf(value);
        };
    }

    private static String summarize(String s, int n) {
        return s.length() <= 120 ? s : s.substring(0, 100) + ", ...] (" + n + " elements)";
    }
}
