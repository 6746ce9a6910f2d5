package org.moe4j.moe.policy;

/** A policy about a named set of experts ({@code mask=...}, {@code force=...}) in some blocks. */
public abstract sealed class ExpertSetPolicy implements ScopedPolicy permits MaskPolicy, ForcePolicy {
    private final String name;
    final ExpertList experts;
    final LayerSet layers;

    ExpertSetPolicy(String name, int[] experts, LayerSet layers) {
        this.name = name;
        this.experts = new ExpertList(experts);
        this.layers = layers;
    }

    public int[] experts() {
        return experts.toArray();
    }

    @Override
    public LayerSet layers() {
        return layers;
    }

    @Override
    public String toString() {
        return name + "=" + experts + layers.suffix();
    }
}
