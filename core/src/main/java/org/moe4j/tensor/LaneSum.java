package org.moe4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fixed-tree lane sum of {@link VectorOps#sum} for one species: halves added lanewise, lane
 * {@code i + half} onto lane {@code i}, until one lane is left. The shuffles must be constants for the JIT
 * to emit one permute per step (a shuffle read from an array is not, and {@code rearrange} then falls back
 * to boxed Java code); a record's final fields are trusted as constants, so held in a static final field
 * an instance folds away.
 *
 * <p>Call an instance only with vectors of its species: a call site that sees two shapes is what makes
 * the JIT box vectors.
 */
public record LaneSum(int lanes, VectorShuffle<Float> half, VectorShuffle<Float> quarter,
                      VectorShuffle<Float> eighth, VectorShuffle<Float> sixteenth) {

    public static LaneSum of(VectorSpecies<Float> species) {
        int n = species.length();
        if (n > 16) {
            throw new IllegalArgumentException("lane sums of more than 16 floats are not implemented: " + species);
        }
        return new LaneSum(n, step(species, n / 2), step(species, n / 4), step(species, n / 8), step(species, n / 16));
    }

    private static VectorShuffle<Float> step(VectorSpecies<Float> species, int by) {
        int len = species.length();
        return by == 0 ? null : VectorShuffle.fromOp(species, i -> (i + by) % len);
    }

    /**
     * Kept under 35 bytes of bytecode, the size the JIT inlines even at a call site its profile thinks
     * cold (the sum at the end of a kernel, once per call, after a loop that ran as on-stack replacement):
     * not inlined, the vector would be boxed at every call.
     */
    public float sum(FloatVector v) {
        return fold(fold(fold(fold(v, half), quarter), eighth), sixteenth).lane(0);
    }

    private static FloatVector fold(FloatVector v, VectorShuffle<Float> by) {
        return by == null ? v : v.add(v.rearrange(by));
    }
}
