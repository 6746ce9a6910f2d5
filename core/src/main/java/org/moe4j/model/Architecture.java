package org.moe4j.model;

/**
 * One model family (GGUF {@code general.architecture}): how its blocks are wired from the file's tensors.
 * Implementations live in {@code org.moe4j.model.arch}, one file each, and are listed in {@link Architectures}.
 */
public interface Architecture {
    /** The GGUF architecture names this handles. */
    java.util.List<String> names();

    /** Sets model-wide details (embedding scale, output head, ...) before blocks are built. */
    default void configure(ModelLoader m) {
    }

    Block block(ModelLoader m, int layer);
}
