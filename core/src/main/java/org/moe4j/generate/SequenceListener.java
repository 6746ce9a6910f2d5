package org.moe4j.generate;

/**
 * Receives the progress of one sequence of {@link BatchEngine}. Called on the engine's thread between
 * forward passes: implementations must be quick (hand the data to another thread) and must not block.
 * Exactly one of {@link #onFinish} and {@link #onError} ends every submitted sequence.
 */
public interface SequenceListener {
    /**
     * The first forward pass over the sequence's prompt succeeded (so its routing policy fits the model).
     * Called once, before any token; a server can wait for it before it commits to a response status.
     */
    default void onStarted() {
    }

    void onToken(GeneratedToken token);

    void onFinish(SequenceResult result);

    /** The sequence failed (e.g. its routing policy rejected the model, or the model produced NaN). */
    void onError(RuntimeException error);
}
