package org.moe4j.moe.cache;

import java.util.function.IntPredicate;

/**
 * Per-layer quotas: the slots are shared out equally between the MoE layers, and a layer that is at
 * its quota replaces one of its own experts, chosen by the inner policy. A layer below its quota takes
 * the slot from a layer above its own (which happens while the cache fills, or when some slots are in
 * use). So no layer can crowd out the others, whatever its routing.
 */
public final class LayerQuotaPolicy extends WrappingPolicy {
    private final ExpertKeys keys;
    private final int[] quota;
    private final int[] count;

    public LayerQuotaPolicy(ExpertKeys keys, int capacity, CachePolicy inner) {
        super(inner);
        this.keys = keys;
        this.quota = new int[keys.blocks()];
        this.count = new int[keys.blocks()];
        int[] moe = keys.moeBlocks();
        for (int i = 0; i < moe.length; i++) {
            quota[moe[i]] = capacity / moe.length + (i < capacity % moe.length ? 1 : 0);
        }
    }

    /** Slots the layer may hold before it must replace its own experts. */
    public int quota(int block) {
        return quota[block];
    }

    @Override
    public String name() {
        return "quota:inner=" + inner.name();
    }

    @Override
    public void admitted(int key, long time) {
        inner.admitted(key, time);
        count[keys.blockOf(key)]++;
    }

    @Override
    public void evicted(int key) {
        inner.evicted(key);
        count[keys.blockOf(key)]--;
    }

    @Override
    public int victim(int incoming, IntPredicate evictable, long time) {
        int b = keys.blockOf(incoming);
        if (count[b] >= quota[b]) {
            int v = inner.victim(incoming, k -> keys.blockOf(k) == b && evictable.test(k), time);
            if (v >= 0) return v;
        }
        int v = inner.victim(incoming, k -> count[keys.blockOf(k)] > quota[keys.blockOf(k)] && evictable.test(k), time);
        return v >= 0 ? v : inner.victim(incoming, evictable, time);
    }
}
