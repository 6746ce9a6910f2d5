package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Blocks;
import org.moe4j.tensor.quant.KQuantScales;

/**
 * Q5_K: {d, dmin, scales[12], qh[32], qs[128]}; Q4_K's nibbles plus a fifth bit: weight {@code 64g + r}
 * takes bit {@code 2g + (r >= 32)} of {@code qh[r % 32]}.
 */
final class Q5_KReference extends KReference {
    Q5_KReference() {
        super(GGMLType.Q5_K, 32);
    }

    @Override
    int level(MemorySegment s, long blk, int i) {
        int g = i >> 6, r = i & 63;
        int b = Blocks.u8(s, blk + 48 + 32 * g + (r & 31));
        int low = r < 32 ? b & 0xF : b >> 4;
        int high = (Blocks.u8(s, blk + 16 + (r & 31)) >> (2 * g + (r >> 5))) & 1;
        return low | (high << 4);
    }

    @Override int scale(MemorySegment s, long blk, int sub) { return KQuantScales.scaleK4(s, blk + 4, sub); }
    @Override int min(MemorySegment s, long blk, int sub) { return KQuantScales.minK4(s, blk + 4, sub); }
    @Override float d(MemorySegment s, long blk) { return Blocks.f16(s, blk); }
    @Override float dmin(MemorySegment s, long blk) { return Blocks.f16(s, blk + 2); }
}
