package org.moe4j.model;

/** Context a sub-layer needs during the forward pass. */
public record Layer(int index, Batch batch, KVCache cache, Workspace ws) {
}
