package org.moe4j.model;

/** A token would land beyond the end of the context window. */
public class ContextOverflowException extends IllegalArgumentException {
    public ContextOverflowException(String message) {
        super(message);
    }
}
