package org.moe4j.generate;

/**
 * Receives the progress of one sequence of {@link BatchEngine}. Called on the engine's thread between
 * forward passes: implementations must be quick (hand the data to another thread) and must not block.
 * Exactly one of {@link #onFinish} and {@link #onError} ends every submitted sequence.
 */
public interface SequenceListener {
    void onToken(GeneratedToken token);

    void onFinish(SequenceResult result);

    /** The sequence failed (e.g. its routing policy rejected the model, or the model produced NaN). */
    void onError(RuntimeException error);
}
