package org.moe4j.moe.cache;

/** The expert cache budget is too small for what the model needs at once (or cannot be parsed). */
public final class ExpertCacheBudgetException extends IllegalArgumentException {
    public ExpertCacheBudgetException(String message) {
        super(message);
    }
}
