package org.moe4j.moe.cache;

/**
 * Frequency-weighted recency: every access adds 1 to an expert's score and the score halves every
 * {@code halfLife} accesses (of any expert). A half-life of one access behaves like LRU, an infinite one
 * like LFU; in between, an expert used often a while ago ranks with one used once just now.
 *
 * <p>Scores are compared in the log domain, {@code log2(score at last access) + lastAccess / halfLife},
 * which orders keys exactly as their decayed scores at any common time and never under- or overflows.
 */
public final class LfruPolicy extends RankingPolicy {
    private final double halfLife;
    private final double halfLifeTokens;
    private final double[] score;

    /**
     * @param halfLifeAccesses half-life of a score in expert accesses
     * @param halfLifeTokens   the same in tokens, for {@link #name()} (what the user wrote)
     */
    public LfruPolicy(ExpertKeys keys, double halfLifeAccesses, double halfLifeTokens) {
        super(keys);
        if (!(halfLifeAccesses > 0)) throw new IllegalArgumentException("LFRU half-life must be > 0, is " + halfLifeAccesses);
        this.halfLife = halfLifeAccesses;
        this.halfLifeTokens = halfLifeTokens;
        score = new double[keys.size()];
    }

    @Override
    public String name() {
        return "lfru:half-life=" + CachePolicies.number(halfLifeTokens);
    }

    @Override
    public void accessed(int key, long time) {
        double decayed = lastUse[key] < 0 ? 0 : score[key] * Math.pow(0.5, (time - lastUse[key]) / halfLife);
        score[key] = decayed + 1;
        super.accessed(key, time);
    }

    @Override
    public void admitted(int key, long time) {
        // the score decays from the last access: an admission (a prefetch) does not refresh it
        resident.add(key);
        if (lastUse[key] < 0) lastUse[key] = time; // never accessed: score 0, first to go
    }

    private double rank(int key) {
        return score[key] == 0 ? Double.NEGATIVE_INFINITY : Math.log(score[key]) / Math.log(2) + lastUse[key] / halfLife;
    }

    @Override
    boolean evictsBefore(int a, int b, long time) {
        double ra = rank(a), rb = rank(b);
        if (ra != rb) return ra < rb;
        if (lastUse[a] != lastUse[b]) return lastUse[a] < lastUse[b];
        return a < b;
    }
}
