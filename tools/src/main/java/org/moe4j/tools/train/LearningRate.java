package org.moe4j.tools.train;

/**
 * Linear warm-up to the peak rate, then cosine decay to {@code minRatio · peak} at the end of training. Progress
 * is the fraction of training done: of the steps, or of the time budget when training runs against the clock.
 */
record LearningRate(float peak, int warmupSteps, float minRatio) {

    float at(long step, double progress) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        double p = Math.min(1, Math.max(0, progress));
        double cos = 0.5 * (1 + Math.cos(Math.PI * p));
        return (float) (peak * (minRatio + (1 - minRatio) * cos));
    }
}
