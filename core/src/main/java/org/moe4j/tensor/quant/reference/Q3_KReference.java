package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Blocks;
import org.moe4j.tensor.quant.KQuantScales;

/**
 * Q3_K: {hmask[32], qs[64] 2-bit, scales[12] (sixteen 6-bit), d}; level = low 2 bits minus 4 unless
 * the hmask bit is set; sub-blocks of 16, no min.
 */
final class Q3_KReference extends KReference {
    Q3_KReference() {
        super(GGMLType.Q3_K, 16);
    }

    @Override
    int level(MemorySegment s, long blk, int i) {
        int n = i >> 7, j = (i & 127) >> 5, l = i & 31;
        int low = (Blocks.u8(s, blk + 32 + 32 * n + l) >> (2 * j)) & 3;
        boolean high = ((Blocks.u8(s, blk + l) >> (4 * n + j)) & 1) != 0;
        return low - (high ? 0 : 4);
    }

    @Override int scale(MemorySegment s, long blk, int sub) { return KQuantScales.scaleQ3(s, blk + 96, sub); }
    @Override float d(MemorySegment s, long blk) { return Blocks.f16(s, blk + 108); }
}
