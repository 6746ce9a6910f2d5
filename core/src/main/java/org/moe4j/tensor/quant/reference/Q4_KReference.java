package org.moe4j.tensor.quant.reference;

import java.lang.foreign.MemorySegment;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Blocks;
import org.moe4j.tensor.quant.KQuantScales;

/** Q4_K: {d, dmin, scales[12], qs[128]}; each 64 weights share 32 bytes (low nibbles first); sub-blocks of 32. */
final class Q4_KReference extends KReference {
    Q4_KReference() {
        super(GGMLType.Q4_K, 32);
    }

    @Override
    int level(MemorySegment s, long blk, int i) {
        int g = i >> 6, r = i & 63;
        int b = Blocks.u8(s, blk + 16 + 32 * g + (r & 31));
        return r < 32 ? b & 0xF : b >> 4;
    }

    @Override int scale(MemorySegment s, long blk, int sub) { return KQuantScales.scaleK4(s, blk + 4, sub); }
    @Override int min(MemorySegment s, long blk, int sub) { return KQuantScales.minK4(s, blk + 4, sub); }
    @Override float d(MemorySegment s, long blk) { return Blocks.f16(s, blk); }
    @Override float dmin(MemorySegment s, long blk) { return Blocks.f16(s, blk + 2); }
}
