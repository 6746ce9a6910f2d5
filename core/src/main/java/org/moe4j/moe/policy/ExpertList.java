package org.moe4j.moe.policy;

import java.util.Arrays;
import org.moe4j.moe.RoutingDecision;

/** A set of expert ids named by a policy, checked against each layer's expert count when first used. */
final class ExpertList {
    private final int[] ids;
    private volatile boolean[] flags = new boolean[0];

    ExpertList(int[] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("empty expert list");
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 0) throw new IllegalArgumentException("expert id " + sorted[i] + " is negative");
            if (i > 0 && sorted[i] == sorted[i - 1]) throw new IllegalArgumentException("expert " + sorted[i] + " listed twice");
        }
        this.ids = ids.clone();
    }

    int size() {
        return ids.length;
    }

    int get(int i) {
        return ids[i];
    }

    int[] toArray() {
        return ids.clone();
    }

    /** Flags indexed by expert id, sized for the decision's layer; fails for ids the layer does not have. */
    boolean[] flagsFor(RoutingDecision d) {
        boolean[] f = flags;
        int n = d.expertCount();
        if (f.length == n) return f;
        f = new boolean[n];
        for (int id : ids) {
            if (id >= n) {
                throw new IllegalArgumentException("expert " + id + " does not exist: layer " + d.layer() + " has " + n + " experts");
            }
            f[id] = true;
        }
        flags = f;
        return f;
    }

    boolean overlaps(ExpertList other) {
        for (int a : ids) for (int b : other.ids) if (a == b) return true;
        return false;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) b.append(',');
            b.append(ids[i]);
        }
        return b.toString();
    }
}
