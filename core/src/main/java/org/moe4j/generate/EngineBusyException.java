package org.moe4j.generate;

/** {@link BatchEngine} cannot take a sequence now: its waiting queue is full, or it is shutting down. */
public final class EngineBusyException extends RuntimeException {
    private final boolean shuttingDown;

    public EngineBusyException(String message, boolean shuttingDown) {
        super(message);
        this.shuttingDown = shuttingDown;
    }

    /** True when the engine stopped accepting work for good, false when it is only full for now. */
    public boolean shuttingDown() {
        return shuttingDown;
    }
}
