package org.moe4j.tools.train;

/**
 * How a model is trained: batch, optimizer, schedule, router-loss weights, evaluation and checkpoints.
 *
 * @param steps           optimizer steps (the schedule's length unless {@code timeLimitSeconds} is set)
 * @param timeLimitSeconds if > 0, training stops after this much training time and the schedule follows time
 * @param batchSequences  sequences of {@code context} tokens per step (the global batch)
 * @param microBatches    parts the batch is split into, run in parallel on the worker threads
 */
public record TrainSettings(long seed, int steps, double timeLimitSeconds, int batchSequences, int microBatches,
                            float learningRate, float minLearningRateRatio, int warmupSteps, float weightDecay,
                            float beta1, float beta2, float gradientClip, float balanceWeight, float zLossWeight,
                            int evalEvery, int evalWindows, int checkpointEvery) {

    public TrainSettings {
        if (steps <= 0 && timeLimitSeconds <= 0) throw new IllegalArgumentException("give --steps or --time");
        if (batchSequences <= 0) throw new IllegalArgumentException("--batch must be positive");
        if (microBatches <= 0 || batchSequences % microBatches != 0) {
            throw new IllegalArgumentException("--batch (" + batchSequences + ") must be a multiple of --micro-batches (" + microBatches + ")");
        }
        if (!(learningRate > 0)) throw new IllegalArgumentException("--lr must be positive");
        if (minLearningRateRatio < 0 || minLearningRateRatio > 1) throw new IllegalArgumentException("--min-lr-ratio must be in [0, 1]");
        if (warmupSteps < 0) throw new IllegalArgumentException("--warmup must not be negative");
        if (weightDecay < 0 || balanceWeight < 0 || zLossWeight < 0 || gradientClip < 0) {
            throw new IllegalArgumentException("weight decay, router loss weights and --clip must not be negative");
        }
    }

    /** The same settings with another length: a step budget, or a time budget when {@code seconds > 0}. */
    public TrainSettings withBudget(int newSteps, double seconds) {
        return new TrainSettings(seed, seconds > 0 ? 0 : newSteps, seconds, batchSequences, microBatches, learningRate,
                minLearningRateRatio, warmupSteps, weightDecay, beta1, beta2, gradientClip, balanceWeight, zLossWeight,
                evalEvery, evalWindows, checkpointEvery);
    }

    LearningRate schedule() {
        return new LearningRate(learningRate, warmupSteps, minLearningRateRatio);
    }
}
