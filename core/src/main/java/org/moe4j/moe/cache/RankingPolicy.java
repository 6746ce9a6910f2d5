package org.moe4j.moe.cache;

import java.util.function.IntPredicate;

/**
 * A policy that ranks resident keys by a score: the victim is the acceptable resident key that
 * {@link #evictsBefore} every other one. A full scan per eviction costs a few microseconds for
 * thousands of slots, nothing next to the disk read the eviction makes room for.
 */
abstract class RankingPolicy implements CachePolicy {
    final ExpertKeys keys;
    final ResidentSet resident;

    RankingPolicy(ExpertKeys keys) {
        this.keys = keys;
        this.resident = new ResidentSet(keys.size());
    }

    /** True if {@code a} should leave before {@code b} at {@code time}; ties broken so the order is total. */
    abstract boolean evictsBefore(int a, int b, long time);

    @Override
    public void admitted(int key, long time) {
        resident.add(key);
    }

    @Override
    public void evicted(int key) {
        resident.remove(key);
    }

    @Override
    public int victim(int incoming, IntPredicate evictable, long time) {
        int best = -1;
        for (int i = 0; i < resident.size(); i++) {
            int k = resident.get(i);
            if (!evictable.test(k)) continue;
            if (best < 0 || evictsBefore(k, best, time)) best = k;
        }
        return best;
    }

    @Override
    public String toString() {
        return name();
    }
}
