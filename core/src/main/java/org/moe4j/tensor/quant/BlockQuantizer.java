package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.moe4j.tensor.GGMLType;

/** A {@link Quantizer} that encodes one block at a time into a zeroed scratch block. */
abstract class BlockQuantizer implements Quantizer {
    private final GGMLType type;

    BlockQuantizer(GGMLType type) {
        this.type = type;
    }

    @Override
    public final GGMLType type() {
        return type;
    }

    /** Encodes {@code x[off .. off + blockSize)} into {@code out} (all zero on entry). */
    abstract void quantizeBlock(float[] x, int off, byte[] out);

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int bs = type.blockSize, bytes = type.blockBytes;
        if (n % bs != 0) throw new IllegalArgumentException(type + ": " + n + " values do not fill whole blocks of " + bs);
        byte[] block = new byte[bytes];
        for (int b = 0; b < n / bs; b++) {
            Arrays.fill(block, (byte) 0);
            quantizeBlock(src, srcOff + b * bs, block);
            MemorySegment.copy(block, 0, dst, ValueLayout.JAVA_BYTE, dstOff + (long) b * bytes, bytes);
        }
    }

    static void putShort(byte[] out, int off, int v) {
        out[off] = (byte) v;
        out[off + 1] = (byte) (v >> 8);
    }

    /** Stores {@code v} as an IEEE half and returns the value the half holds. */
    static float putHalf(byte[] out, int off, float v) {
        short h = Float.floatToFloat16(v);
        putShort(out, off, h);
        return Float.float16ToFloat(h);
    }

    /** Round half to even, the reference's {@code nearest_int}. */
    static int nearest(float v) {
        return (int) Math.rint(v);
    }

    /** C's {@code roundf}: half away from zero. */
    static int roundAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs(v) + 0.5), v);
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** The element of largest magnitude (the first on ties), with its sign. */
    static float signedMax(float[] x, int off, int n) {
        float amax = 0, max = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) {
                amax = ax;
                max = x[off + i];
            }
        }
        return max;
    }
}
