package org.moe4j.moe.cache;

/**
 * Least frequently used, counting every access since the start (counts survive eviction, so an expert
 * that is often needed comes back with its history). Ties go to the least recently used.
 */
public final class LfuPolicy extends RankingPolicy {
    private final long[] count;

    public LfuPolicy(ExpertKeys keys) {
        super(keys);
        count = new long[keys.size()];
    }

    @Override
    public String name() {
        return "lfu";
    }

    @Override
    public void accessed(int key, long time) {
        count[key]++;
        super.accessed(key, time);
    }

    @Override
    boolean evictsBefore(int a, int b, long time) {
        if (count[a] != count[b]) return count[a] < count[b];
        if (lastUse[a] != lastUse[b]) return lastUse[a] < lastUse[b];
        return a < b;
    }
}
