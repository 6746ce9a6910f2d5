package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Blocks;

/**
 * Q6_K: {ql[128], qh[64], scales[16] int8, d}. Per half of 128 weights, quarter {@code k} (32 weights)
 * takes nibble {@code k / 2} of {@code ql[64n + 32(k % 2) + l]} and bits {@code 2k..2k+1} of
 * {@code qh[32n + l]}; level minus 32; sub-blocks of 16.
 */
final class Q6_KReference extends KReference {
    Q6_KReference() {
        super(GGMLType.Q6_K, 16);
    }

    @Override
    int level(MemorySegment s, long blk, int i) {
        int n = i >> 7, k = (i & 127) >> 5, l = i & 31;
        int b = Blocks.u8(s, blk + 64 * n + 32 * (k & 1) + l);
        int low = k < 2 ? b & 0xF : b >> 4;
        int high = (Blocks.u8(s, blk + 128 + 32 * n + l) >> (2 * k)) & 3;
        return (low | (high << 4)) - 32;
    }

    @Override int scale(MemorySegment s, long blk, int sub) { return Blocks.i8(s, blk + 192 + sub); }
    @Override float d(MemorySegment s, long blk) { return Blocks.f16(s, blk + 208); }
}
