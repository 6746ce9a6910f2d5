package org.moe4j.tensor.quant;

import static org.assertj.core.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.moe4j.tensor.GGMLType;

/** Every one of the 65536 F16 and BF16 bit patterns widens exactly as the scalar conversions do. */
class HalfConversionTest {
    @Test
    void everyHalfPattern() {
        check(GGMLType.F16);
        check(GGMLType.BF16);
    }

    private static void check(GGMLType t) {
        MemorySegment s = Arena.ofAuto().allocate(2 * 65536);
        for (int i = 0; i < 65536; i++) s.set(Blocks.SHORT_LE, 2L * i, (short) i);
        float[] out = new float[65536];
        QuantFormats.of(t).dequantize(s, 0, out, 0, 65536);
        for (int i = 0; i < 65536; i++) {
            float want = t == GGMLType.F16 ? Float.float16ToFloat((short) i) : Half.bf16ToFloat((short) i);
            if (Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(want)) {
                fail("%s pattern %04x: %s (bits %08x) vs %s (bits %08x)", t, i, out[i], Float.floatToRawIntBits(out[i]),
                        want, Float.floatToRawIntBits(want));
            }
        }
    }
}
