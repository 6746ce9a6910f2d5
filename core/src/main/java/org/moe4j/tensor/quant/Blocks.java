package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian field reads from block bytes, shared by every format. */
public final class Blocks {
    public static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Blocks() {
    }

    public static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    public static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    public static int u32(MemorySegment s, long off) {
        return s.get(INT_LE, off);
    }

    public static short s16(MemorySegment s, long off) {
        return s.get(SHORT_LE, off);
    }

    /** An IEEE half at {@code off}, widened. */
    public static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(SHORT_LE, off));
    }

    public static float bf16(MemorySegment s, long off) {
        return Half.bf16ToFloat(s.get(SHORT_LE, off));
    }

    public static float f32(MemorySegment s, long off) {
        return s.get(FLOAT_LE, off);
    }
}
