package org.moe4j.moe.cache;

import java.util.function.IntPredicate;

/**
 * Decides which resident expert leaves the cache when a new one needs its slot. The cache (or the
 * simulator replaying a trace) tells the policy about every access, admission and eviction, with a
 * logical time that grows by one per expert access; the policy only ranks. Experts are named by their
 * {@link ExpertKeys key}. Implementations are not thread-safe: their caller serialises the calls.
 */
public interface CachePolicy {
    /** The spec that recreates this policy, e.g. {@code lfru:half-life=8}. */
    String name();

    /** A layer asked for {@code key} at {@code time} (whether or not it was resident). */
    void accessed(int key, long time);

    /** {@code key} took a slot at {@code time} (a demand miss, a prefetch or a warm start). */
    void admitted(int key, long time);

    /** {@code key} left its slot. */
    void evicted(int key);

    /**
     * The resident key to evict so that {@code incoming} can be loaded, chosen among those
     * {@code evictable} accepts (the others are in use), or -1 when none is acceptable.
     */
    int victim(int incoming, IntPredicate evictable, long time);

    /**
     * The cross-layer gate predicts that the next step of {@code block} selects {@code keys[0..count)}
     * (ascending); told before the current step's loads, so that its evictions can use it. Policies that
     * rank by expected reuse use it; the others ignore it.
     */
    default void predicted(int block, int[] keys, int count) {
    }

    /** Keys the cache should load before the first token (hottest first); none by default. */
    default int[] warmKeys() {
        return new int[0];
    }
}
