package org.moe4j.moe.cache;

import java.util.function.IntPredicate;

/**
 * Pins the experts a saved profile (from an earlier run) found hottest: they are loaded before the
 * first token, are never evicted, and the inner policy manages the remaining slots. At most
 * {@code capacity - workingSet} experts are pinned, so the unpinned slots always hold what one token
 * needs at once and a profile can never make the cache unable to serve a layer.
 */
public final class PinnedHotPolicy extends WrappingPolicy {
    private final boolean[] pinned;
    private final int[] hot;
    private final double fraction;

    /**
     * @param workingSet the most experts needed at once (one token's selection in one layer)
     * @param fraction   share of the slots given to pinned experts
     */
    public PinnedHotPolicy(ExpertKeys keys, int capacity, int workingSet, ExpertProfile profile, double fraction, CachePolicy inner) {
        if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("pinned fraction must be in [0, 1], is " + fraction);
        if (!profile.keys().equals(keys)) {
            throw new IllegalArgumentException("the profile describes " + profile.keys() + ", the model has " + keys);
        }
        super(inner);
        this.fraction = fraction;
        this.hot = profile.hottest(Math.min((int) Math.floor(capacity * fraction), capacity - workingSet));
        this.pinned = new boolean[keys.size()];
        for (int k : hot) pinned[k] = true;
    }

    public boolean isPinned(int key) {
        return pinned[key];
    }

    @Override
    public String name() {
        return "pinned:fraction=" + CachePolicies.number(fraction) + ":inner=" + inner.name();
    }

    @Override
    public int victim(int incoming, IntPredicate evictable, long time) {
        return inner.victim(incoming, k -> !pinned[k] && evictable.test(k), time);
    }

    @Override
    public int[] warmKeys() {
        return hot.clone();
    }
}
