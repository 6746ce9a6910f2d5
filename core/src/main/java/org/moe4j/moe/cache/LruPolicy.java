package org.moe4j.moe.cache;

/** Least recently used: evicts the expert whose last access (or admission, for a prefetch) is oldest. */
public final class LruPolicy extends RankingPolicy {
    public LruPolicy(ExpertKeys keys) {
        super(keys);
    }

    @Override
    public String name() {
        return "lru";
    }

    @Override
    boolean evictsBefore(int a, int b, long time) {
        return lastUse[a] != lastUse[b] ? lastUse[a] < lastUse[b] : a < b;
    }
}
