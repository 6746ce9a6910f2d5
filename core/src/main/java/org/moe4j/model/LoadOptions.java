package org.moe4j.model;

import org.moe4j.tensor.NumericMode;
import org.moe4j.util.WorkerPool;

/**
 * How to load a model.
 *
 * @param threads compute threads (the caller counts as one)
 * @param mode    numerical contract of quantized products, see {@link NumericMode}
 */
public record LoadOptions(int threads, NumericMode mode) {
    public LoadOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
    }

    public static LoadOptions defaults() {
        return new LoadOptions(WorkerPool.defaultThreads(), NumericMode.NATIVE);
    }

    public LoadOptions withThreads(int t) {
        return new LoadOptions(t, mode);
    }

    public LoadOptions withMode(NumericMode m) {
        return new LoadOptions(threads, m);
    }
}
