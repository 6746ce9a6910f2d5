package org.moe4j.moe.cache;

/**
 * Least frequently used, counting every access since the start (counts survive eviction, so an expert
 * that is often needed comes back with its history). Ties go to the least recently used.
 */
public final class LfuPolicy extends RankingPolicy {
    private final long[] count;
    private final long[] lastUse;

    public LfuPolicy(ExpertKeys keys) {
        super(keys);
        count = new long[keys.size()];
        lastUse = new long[keys.size()];
        java.util.Arrays.fill(lastUse, -1);
    }

    @Override
    public String name() {
        return "lfu";
    }

    @Override
    public void accessed(int key, long time) {
        count[key]++;
        lastUse[key] = time;
    }

    @Override
    public void admitted(int key, long time) {
        super.admitted(key, time);
        lastUse[key] = Math.max(lastUse[key], time);
    }

    @Override
    boolean evictsBefore(int a, int b, long time) {
        if (count[a] != count[b]) return count[a] < count[b];
        if (lastUse[a] != lastUse[b]) return lastUse[a] < lastUse[b];
        return a < b;
    }
}
