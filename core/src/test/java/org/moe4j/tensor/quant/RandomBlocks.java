package org.moe4j.tensor.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.moe4j.tensor.GGMLType;

/** Random blocks of every type with finite scales, plus the edge cases a layout bug or an overflow would show. */
final class RandomBlocks {
    enum Kind { RANDOM, ZERO_BYTES, FF_BYTES, ZERO_SCALES, NEGATIVE_SCALES, TINY_SCALES, HUGE_SCALES }

    private RandomBlocks() {
    }

    /** Offsets of the F16 scale fields inside a block. */
    static int[] halfFields(GGMLType t) {
        return switch (t) {
            case Q4_0, Q5_0, Q8_0, IQ4_NL -> new int[]{0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[]{0, 2};
            case Q2_K -> new int[]{80, 82};
            case Q3_K -> new int[]{108};
            case Q6_K -> new int[]{208};
            default -> new int[0];
        };
    }

    static MemorySegment make(GGMLType t, int blocks, Random r, Kind kind) {
        MemorySegment s = Arena.ofAuto().allocate((long) blocks * t.blockBytes);
        for (long i = 0; i < s.byteSize(); i++) {
            byte v = switch (kind) {
                case ZERO_BYTES -> 0;
                case FF_BYTES -> (byte) 0xFF;
                default -> (byte) r.nextInt();
            };
            s.set(ValueLayout.JAVA_BYTE, i, v);
        }
        switch (t) {
            case F32 -> {
                for (long i = 0; i < s.byteSize(); i += 4) s.set(Blocks.FLOAT_LE, i, (float) r.nextGaussian());
            }
            case F16, BF16 -> {
                for (long i = 0; i < s.byteSize(); i += 2) {
                    float v = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(30) - 15));
                    s.set(Blocks.SHORT_LE, i, t == GGMLType.F16 ? Float.floatToFloat16(v) : Half.floatToBf16(v));
                }
            }
            case MXFP4 -> {
                for (int b = 0; b < blocks; b++) {
                    int e = switch (kind) {
                        case ZERO_SCALES, TINY_SCALES -> r.nextInt(3);
                        case HUGE_SCALES -> 150 + r.nextInt(10);
                        default -> 110 + r.nextInt(20);
                    };
                    s.set(ValueLayout.JAVA_BYTE, (long) b * t.blockBytes, (byte) e);
                }
            }
            default -> {
                for (int b = 0; b < blocks; b++) {
                    for (int f : halfFields(t)) {
                        s.set(Blocks.SHORT_LE, (long) b * t.blockBytes + f, Float.floatToFloat16(scale(kind, r)));
                    }
                }
            }
        }
        return s;
    }

    static float scale(Kind kind, Random r) {
        return switch (kind) {
            case ZERO_SCALES -> r.nextBoolean() ? 0f : -0f;
            case NEGATIVE_SCALES -> -(float) (0.001 + 0.05 * r.nextDouble());
            case TINY_SCALES -> (float) (r.nextDouble() * 6e-5); // subnormal halves
            case HUGE_SCALES -> (float) ((r.nextBoolean() ? 1 : -1) * (100 + 1000 * r.nextDouble()));
            default -> (float) ((r.nextBoolean() ? 1 : -1) * 0.1 * r.nextDouble());
        };
    }

    static float[] gaussian(Random r, int n, double sigma) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * sigma);
        return x;
    }
}
