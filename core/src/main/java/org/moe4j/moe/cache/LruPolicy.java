package org.moe4j.moe.cache;

/** Least recently used: evicts the expert whose last access (or admission, for a prefetch) is oldest. */
public final class LruPolicy extends RankingPolicy {
    private final long[] lastUse;

    public LruPolicy(ExpertKeys keys) {
        super(keys);
        lastUse = new long[keys.size()];
        java.util.Arrays.fill(lastUse, -1);
    }

    @Override
    public String name() {
        return "lru";
    }

    @Override
    public void accessed(int key, long time) {
        lastUse[key] = time;
    }

    @Override
    public void admitted(int key, long time) {
        super.admitted(key, time);
        lastUse[key] = Math.max(lastUse[key], time);
    }

    @Override
    boolean evictsBefore(int a, int b, long time) {
        return lastUse[a] != lastUse[b] ? lastUse[a] < lastUse[b] : a < b;
    }
}
