package org.moe4j.tools.train;

/**
 * Where a training run is: steps done, tokens seen, training seconds spent (evaluation excluded) and the
 * batch sampler's random state. Together with the weights and optimizer moments, a checkpoint.
 */
public record TrainState(long step, long tokens, double seconds, long rngState) {
}
