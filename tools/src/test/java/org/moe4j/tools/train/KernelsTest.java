package org.moe4j.tools.train;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class KernelsTest {
    @Test
    void vectorExpIsWithinTwoUlpOfMathExp() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[lanes];
        float[] y = new float[lanes];
        for (float v = -90f; v < 88f; v += 0.0137f * lanes) {
            for (int i = 0; i < lanes; i++) x[i] = v + 0.0137f * i;
            Kernels.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
            for (int i = 0; i < lanes; i++) {
                double expected = Math.exp(Math.min(x[i], 88f));
                if (x[i] < -87.3f) assertThat(y[i]).isZero();
                else if (expected >= Float.MIN_NORMAL) assertThat((double) y[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(2.5 * Math.ulp((float) expected)));
            }
        }
    }

    @Test
    void softmaxSumsToOneAndReturnsTheLogPartition() {
        float[] x = new float[37];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i) * 5;
        double lse = 0;
        for (float v : x) lse += Math.exp(v);
        lse = Math.log(lse);
        float got = Kernels.softmax(x, 0, x.length);
        double sum = 0;
        for (float v : x) sum += v;
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) got).isCloseTo(lse, org.assertj.core.data.Offset.offset(1e-5));
    }
}
