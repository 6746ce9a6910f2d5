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
    /** Time of each key's last access (or admission, for a prefetch never accessed); -1 before any. */
    final long[] lastUse;

    RankingPolicy(ExpertKeys keys) {
        this.keys = keys;
        this.resident = new ResidentSet(keys.size());
        this.lastUse = new long[keys.size()];
        java.util.Arrays.fill(lastUse, -1);
    }

    /** True if {@code a} should leave before {@code b} at {@code time}; ties broken so the order is total. */
    abstract boolean evictsBefore(int a, int b, long time);

    @Override
    public void accessed(int key, long time) {
        lastUse[key] = time;
    }

    @Override
    public void admitted(int key, long time) {
        resident.add(key);
        lastUse[key] = Math.max(lastUse[key], time);
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
