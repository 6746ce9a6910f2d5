package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;

/**
 * The packed sub-block scales of the K-quants.
 *
 * <p>Q4_K and Q5_K keep eight 6-bit scales and eight 6-bit mins in 12 bytes: sub-blocks 0-3 use the
 * low 6 bits of bytes 0-3 (scales) and 4-7 (mins); sub-blocks 4-7 take their low 4 bits from the
 * nibbles of bytes 8-11 and their top 2 bits from the spare top bits of bytes 0-3 (scales) and 4-7 (mins).
 *
 * <p>Q3_K keeps sixteen 6-bit scales biased by 32 in 12 bytes: the low nibbles of bytes 0-7 then their
 * high nibbles give the low 4 bits of scales 0-7 and 8-15; bytes 8-11 hold the top 2 bits, scale j in
 * byte {@code 8 + j % 4} at bit {@code 2 * (j / 4)}.
 */
public final class KQuantScales {
    private KQuantScales() {
    }

    /** Q4_K/Q5_K scale of sub-block {@code j} (0..7); {@code off} is the first of the 12 scale bytes. */
    public static int scaleK4(MemorySegment s, long off, int j) {
        if (j < 4) return Blocks.u8(s, off + j) & 63;
        return (Blocks.u8(s, off + j + 4) & 0xF) | ((Blocks.u8(s, off + j - 4) >> 6) << 4);
    }

    /** Q4_K/Q5_K min of sub-block {@code j} (0..7). */
    public static int minK4(MemorySegment s, long off, int j) {
        if (j < 4) return Blocks.u8(s, off + j + 4) & 63;
        return (Blocks.u8(s, off + j + 4) >> 4) | ((Blocks.u8(s, off + j) >> 6) << 4);
    }

    /** Q3_K scale of sub-block {@code j} (0..15), bias removed: -32..31. */
    public static int scaleQ3(MemorySegment s, long off, int j) {
        int low = j < 8 ? Blocks.u8(s, off + j) & 0xF : Blocks.u8(s, off + j - 8) >> 4;
        int high = (Blocks.u8(s, off + 8 + (j & 3)) >> (2 * (j >> 2))) & 3;
        return (low | (high << 4)) - 32;
    }

    // The whole 12-byte field read as three little-endian words a0 (bytes 0-3), a1 (4-7), a2 (8-11); each
    // result holds four 6-bit values as bytes, sub-block j in byte j % 4.

    /** Scales of sub-blocks 0-3. */
    public static int k4LowScales(int a0) {
        return a0 & 0x3f3f3f3f;
    }

    /** Scales of sub-blocks 4-7. */
    public static int k4HighScales(int a0, int a2) {
        return (a2 & 0x0f0f0f0f) | (((a0 >>> 6) & 0x03030303) << 4);
    }

    /** Mins of sub-blocks 0-3. */
    public static int k4LowMins(int a1) {
        return a1 & 0x3f3f3f3f;
    }

    /** Mins of sub-blocks 4-7. */
    public static int k4HighMins(int a1, int a2) {
        return ((a2 >>> 4) & 0x0f0f0f0f) | (((a1 >>> 6) & 0x03030303) << 4);
    }

    /** Four biased Q3_K scales: low nibbles from {@code low}, top bits from {@code a2 >> shift}. */
    public static int q3Word(int low, int a2, int shift) {
        return (low & 0x0f0f0f0f) | (((a2 >>> shift) & 0x03030303) << 4);
    }

    /** Packs Q4_K/Q5_K 6-bit scales and mins (8 each) into 12 bytes at {@code dst[off..]}. */
    public static void packK4(int[] scales, int[] mins, byte[] dst, int off) {
        for (int i = 0; i < 12; i++) dst[off + i] = 0;
        for (int j = 0; j < 8; j++) {
            int ls = scales[j], lm = mins[j];
            if (j < 4) {
                dst[off + j] = (byte) ls;
                dst[off + j + 4] = (byte) lm;
            } else {
                dst[off + j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                dst[off + j - 4] |= (byte) ((ls >> 4) << 6);
                dst[off + j] |= (byte) ((lm >> 4) << 6);
            }
        }
    }

    /** Packs sixteen Q3_K scales (already biased, 0..63) into 12 bytes at {@code dst[off..]}. */
    public static void packQ3(int[] biased, byte[] dst, int off) {
        for (int i = 0; i < 12; i++) dst[off + i] = 0;
        for (int j = 0; j < 16; j++) {
            int l = biased[j];
            if (j < 8) dst[off + j] = (byte) (l & 0xF);
            else dst[off + j - 8] |= (byte) ((l & 0xF) << 4);
            dst[off + 8 + (j & 3)] |= (byte) ((l >> 4) << (2 * (j >> 2)));
        }
    }
}
