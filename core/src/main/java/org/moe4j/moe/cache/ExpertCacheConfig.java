package org.moe4j.moe.cache;

import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.Quantizers;

/**
 * How an {@link ExpertCache} runs.
 *
 * @param budgetBytes    memory for expert slabs and, with mixed precision, the low-bit copies
 * @param policy         eviction policy spec ({@link CachePolicies}); null for the default
 * @param profile        saved profile for the pinned policy, or null
 * @param prefetch       predict the next layer's experts and load them ahead
 * @param ioThreads      parallel reads (the disk's useful queue depth)
 * @param io             how reads avoid the page cache
 * @param mixedPrecision type of the resident low-bit copies run on a miss (Q4_0, Q2_K...), or null for none
 * @param skipBelow      drop a selected expert that is not resident when its normalised weight is below
 *                       this (0 = never)
 */
public record ExpertCacheConfig(long budgetBytes, String policy, ExpertProfile profile, boolean prefetch, int ioThreads,
                                ExpertReader.Io io, GGMLType mixedPrecision, float skipBelow) {
    public static final int DEFAULT_IO_THREADS = 4;

    public ExpertCacheConfig {
        if (budgetBytes < 1) throw new ExpertCacheBudgetException("the expert cache budget must be positive");
        if (ioThreads < 1 || ioThreads > 256) throw new IllegalArgumentException("I/O threads must be in 1..256, is " + ioThreads);
        if (io == null) io = ExpertReader.Io.AUTO;
        if (mixedPrecision != null && !Quantizers.isSupported(mixedPrecision)) {
            throw new IllegalArgumentException("moe4j cannot quantize to " + mixedPrecision + " for mixed precision");
        }
        if (!(skipBelow >= 0 && skipBelow < 1)) throw new IllegalArgumentException("skip threshold must be in [0, 1), is " + skipBelow);
    }

    public static ExpertCacheConfig of(long budgetBytes) {
        return new ExpertCacheConfig(budgetBytes, null, null, true, DEFAULT_IO_THREADS, ExpertReader.Io.AUTO, null, 0f);
    }

    public ExpertCacheConfig withPolicy(String p) {
        return new ExpertCacheConfig(budgetBytes, p, profile, prefetch, ioThreads, io, mixedPrecision, skipBelow);
    }

    public ExpertCacheConfig withProfile(ExpertProfile p) {
        return new ExpertCacheConfig(budgetBytes, policy, p, prefetch, ioThreads, io, mixedPrecision, skipBelow);
    }

    public ExpertCacheConfig withPrefetch(boolean on) {
        return new ExpertCacheConfig(budgetBytes, policy, profile, on, ioThreads, io, mixedPrecision, skipBelow);
    }

    public ExpertCacheConfig withIoThreads(int n) {
        return new ExpertCacheConfig(budgetBytes, policy, profile, prefetch, n, io, mixedPrecision, skipBelow);
    }

    public ExpertCacheConfig withIo(ExpertReader.Io mode) {
        return new ExpertCacheConfig(budgetBytes, policy, profile, prefetch, ioThreads, mode, mixedPrecision, skipBelow);
    }

    public ExpertCacheConfig withMixedPrecision(GGMLType type) {
        return new ExpertCacheConfig(budgetBytes, policy, profile, prefetch, ioThreads, io, type, skipBelow);
    }

    public ExpertCacheConfig withSkipBelow(float t) {
        return new ExpertCacheConfig(budgetBytes, policy, profile, prefetch, ioThreads, io, mixedPrecision, t);
    }
}
