package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Blocks;

/** Q2_K: {scales[16] (scale low nibble, min high nibble), qs[64] 2-bit, d, dmin}; sub-blocks of 16. */
final class Q2_KReference extends KReference {
    Q2_KReference() {
        super(GGMLType.Q2_K, 16);
    }

    @Override
    int level(MemorySegment s, long blk, int i) {
        int n = i >> 7, j = (i & 127) >> 5, l = i & 31;
        return (Blocks.u8(s, blk + 16 + 32 * n + l) >> (2 * j)) & 3;
    }

    @Override int scale(MemorySegment s, long blk, int sub) { return Blocks.u8(s, blk + sub) & 0xF; }
    @Override int min(MemorySegment s, long blk, int sub) { return Blocks.u8(s, blk + sub) >> 4; }
    @Override float d(MemorySegment s, long blk) { return Blocks.f16(s, blk + 80); }
    @Override float dmin(MemorySegment s, long blk) { return Blocks.f16(s, blk + 82); }
}
