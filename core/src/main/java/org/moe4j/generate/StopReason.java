package org.moe4j.generate;

/** Why generation ended. */
public enum StopReason {
    /** The model produced an end-of-generation token. */
    END_OF_TEXT,
    /** A stop string appeared in the output (it is not part of the returned text). */
    STOP_STRING,
    /** The requested number of tokens was generated. */
    MAX_TOKENS,
    /** The context window is full. */
    CONTEXT_FULL,
    /** The caller asked to stop. */
    CANCELLED
}
