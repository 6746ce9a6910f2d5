package org.moe4j.moe.policy;

import java.util.BitSet;

/** The block indices a policy applies to: all of them, or a list of indices and ranges ({@code 0-3,7}). */
public final class LayerSet {
    public static final LayerSet ALL = new LayerSet(null, "all");

    private final BitSet layers;
    private final String spec;

    private LayerSet(BitSet layers, String spec) {
        this.layers = layers;
        this.spec = spec;
    }

    /** Parses {@code all} or comma-separated indices and inclusive ranges, e.g. {@code 0-3,7,10-11}. */
    public static LayerSet parse(String spec) {
        String s = spec.strip();
        if (s.equals("all") || s.equals("*")) return ALL;
        BitSet b = new BitSet();
        for (String part : s.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-');
            int from, to;
            try {
                if (dash > 0) {
                    from = Integer.parseInt(p.substring(0, dash).strip());
                    to = Integer.parseInt(p.substring(dash + 1).strip());
                } else {
                    from = to = Integer.parseInt(p);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad layer list '" + spec + "': expected indices and ranges like 0-3,7");
            }
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("bad layer range '" + p + "' in '" + spec + "'");
            }
            b.set(from, to + 1);
        }
        if (b.isEmpty()) throw new IllegalArgumentException("empty layer list '" + spec + "'");
        return new LayerSet(b, s);
    }

    public boolean contains(int layer) {
        return layers == null || layers.get(layer);
    }

    public boolean isAll() {
        return layers == null;
    }

    /** True when some layer belongs to both sets. */
    public boolean intersects(LayerSet other) {
        if (layers == null || other.layers == null) return true;
        return layers.intersects(other.layers);
    }

    /** The {@code @layer=...} suffix of a policy spec, empty for all layers. */
    String suffix() {
        return layers == null ? "" : "@layer=" + spec;
    }

    @Override
    public String toString() {
        return spec;
    }
}
