package org.moe4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimdShapeTest {
    @Test
    void shapesAreConsistent() {
        System.out.println("vector kernels: " + (Simd.USABLE ? Simd.L + " float lanes" : "off (scalar reference)"));
        assertThat(Simd.B.length()).isEqualTo(Simd.L);
        assertThat(Simd.F.length()).isEqualTo(Simd.L);
        assertThat(Simd.SL.length()).isEqualTo(Simd.L);
        String forced = System.getProperty("moe4j.vector.bits");
        if (forced != null && Simd.USABLE) assertThat(Simd.L * 32).isLessThanOrEqualTo(Integer.parseInt(forced));
    }
}
