package org.moe4j.gguf;

/** Metadata value types of the GGUF format, with their on-disk ids. */
public enum GGUFValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GGUFValueType[] BY_ID = values();

    public final int id;
    /** Size in bytes of one value, or -1 for variable-size types. */
    public final int size;

    GGUFValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    public static GGUFValueType fromId(int id) {
        if (id < 0 || id >= BY_ID.length) {
            return null;
        }
        return BY_ID[id];
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Smallest number of bytes a value of this type can occupy in a file (used to bound hostile counts). */
    public int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }
}
