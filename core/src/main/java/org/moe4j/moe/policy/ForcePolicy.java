package org.moe4j.moe.policy;

import org.moe4j.moe.RoutingDecision;

/**
 * Always includes the listed experts. The count stays what it was (unless more experts are forced than
 * were selected): forced experts take the places of the lowest-ranked others. The result is ordered by
 * selection score and weighted by the layer's rule.
 */
public final class ForcePolicy extends ExpertSetPolicy {
    private static final ThreadLocal<int[]> IDS = ThreadLocal.withInitial(() -> new int[64]);

    public ForcePolicy(int[] experts, LayerSet layers) {
        super("force", experts, layers);
    }

    @Override
    public void apply(RoutingDecision d) {
        if (!layers.contains(d.layer())) return;
        boolean[] forced = experts.flagsFor(d);
        int present = 0;
        for (int j = 0; j < d.count(); j++) if (forced[d.expert(j)]) present++;
        if (present == experts.size()) return;

        int total = Math.max(d.count(), experts.size());
        int[] ids = IDS.get();
        if (ids.length < total) {
            ids = new int[Math.max(total, d.expertCount())];
            IDS.set(ids);
        }
        int n = 0;
        for (int i = 0; i < experts.size(); i++) ids[n++] = experts.get(i);
        // the current selection is in rank order, so its first others are the best ones to keep
        for (int j = 0; j < d.count() && n < total; j++) {
            if (!forced[d.expert(j)]) ids[n++] = d.expert(j);
        }
        sortByScore(d, ids, n);
        d.select(ids, n);
    }

    private static void sortByScore(RoutingDecision d, int[] ids, int n) {
        for (int i = 1; i < n; i++) {
            int x = ids[i];
            float s = d.selectionScore(x);
            int j = i - 1;
            while (j >= 0 && (d.selectionScore(ids[j]) < s || (d.selectionScore(ids[j]) == s && ids[j] > x))) {
                ids[j + 1] = ids[j];
                j--;
            }
            ids[j + 1] = x;
        }
    }
}
