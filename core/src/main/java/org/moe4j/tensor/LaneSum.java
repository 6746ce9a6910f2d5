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

    public float sum(FloatVector v) {
        v = v.add(v.rearrange(half));
        if (lanes >= 4) v = v.add(v.rearrange(quarter));
        if (lanes >= 8) v = v.add(v.rearrange(eighth));
        if (lanes >= 16) v = v.add(v.rearrange(sixteenth));
        return v.lane(0);
    }
}
