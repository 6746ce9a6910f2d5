package org.moe4j.tools.synth;

/**
 * A fast, reproducible source of approximately normal numbers for random weights (sum of four uniforms,
 * rescaled: exact mean and variance, tails cut at about 3.5 sigma), seeded per tensor and row block so the
 * output does not depend on the number of threads.
 */
final class FastGaussian {
    private long state;

    FastGaussian(long seed) {
        state = seed * 0x9E3779B97F4A7C15L + 0xD1B54A32D192ED03L;
    }

    private long next() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Approximately N(0, 1). */
    float next01() {
        long r = next();
        int sum = (int) (r & 0xffff) + (int) ((r >>> 16) & 0xffff) + (int) ((r >>> 32) & 0xffff) + (int) ((r >>> 48) & 0xffff);
        // four uniforms on [0, 65536): mean 131070, variance 4 * 65536^2 / 12
        return (sum - 131070f) * (1.7320508f / 65536f);
    }

    float uniform(float lo, float hi) {
        return lo + (hi - lo) * ((next() >>> 40) / (float) (1L << 24));
    }
}
