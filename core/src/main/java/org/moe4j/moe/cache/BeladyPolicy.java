package org.moe4j.moe.cache;

/**
 * Belady's optimal offline policy (MIN): evicts the resident expert whose next access lies furthest in
 * the future. It needs the whole access sequence in advance, so it only exists for trace replay, as the
 * upper bound other policies are measured against. Times passed to it must be positions in that sequence.
 */
public final class BeladyPolicy extends RankingPolicy {
    private final int[] nextAt;
    private final int[] nextUse;

    public BeladyPolicy(AccessSequence sequence) {
        super(sequence.keys());
        int n = sequence.length();
        nextAt = new int[n];
        int[] seen = new int[sequence.keys().size()];
        java.util.Arrays.fill(seen, Integer.MAX_VALUE);
        for (int i = n - 1; i >= 0; i--) {
            int k = sequence.key(i);
            nextAt[i] = seen[k];
            seen[k] = i;
        }
        nextUse = seen; // before any access: each key's first use
    }

    @Override
    public String name() {
        return "belady";
    }

    @Override
    public void accessed(int key, long time) {
        nextUse[key] = nextAt[Math.toIntExact(time)];
    }

    @Override
    boolean evictsBefore(int a, int b, long time) {
        return nextUse[a] != nextUse[b] ? nextUse[a] > nextUse[b] : a < b;
    }
}
