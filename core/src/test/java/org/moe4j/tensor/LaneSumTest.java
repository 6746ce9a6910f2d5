package org.moe4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Lane sums in a fixed order, so that results do not depend on whether the JIT has compiled the kernels yet. */
class LaneSumTest {
    @Test
    void sumAddsHalvesLanewiseInAFixedTree() {
        SplittableRandom r = new SplittableRandom(7);
        int n = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[n];
        for (int round = 0; round < 10_000; round++) {
            for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
            assertThat(VectorOps.sum(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0))).isEqualTo(tree(x.clone(), n));
        }
    }

    private static float tree(float[] v, int n) {
        for (int half = n / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) v[i] += v[i + half];
        }
        return v[0];
    }
}
