package org.moe4j.moe.cache;

import java.util.Arrays;

/**
 * Numbers every routed expert of a model with one int, its key: the experts of the first MoE block
 * first, then those of the next. Policies, statistics and profiles index arrays by key.
 */
public final class ExpertKeys {
    private final int[] expertsPerBlock;
    private final int[] offset;
    private final int[] blockOfKey;
    private final int[] moeBlocks;
    private final int total;

    /** @param expertsPerBlock routed experts of each block, 0 for blocks without experts */
    public ExpertKeys(int[] expertsPerBlock) {
        this.expertsPerBlock = expertsPerBlock.clone();
        this.offset = new int[expertsPerBlock.length + 1];
        int moe = 0;
        for (int b = 0; b < expertsPerBlock.length; b++) {
            if (expertsPerBlock[b] < 0) throw new IllegalArgumentException("block " + b + " has " + expertsPerBlock[b] + " experts");
            offset[b + 1] = Math.addExact(offset[b], expertsPerBlock[b]);
            if (expertsPerBlock[b] > 0) moe++;
        }
        total = offset[expertsPerBlock.length];
        blockOfKey = new int[total];
        moeBlocks = new int[moe];
        int m = 0;
        for (int b = 0; b < expertsPerBlock.length; b++) {
            Arrays.fill(blockOfKey, offset[b], offset[b + 1], b);
            if (expertsPerBlock[b] > 0) moeBlocks[m++] = b;
        }
    }

    /** Number of keys (routed experts over all blocks). */
    public int size() {
        return total;
    }

    public int blocks() {
        return expertsPerBlock.length;
    }

    /** Indices of the blocks that have routed experts, ascending. */
    public int[] moeBlocks() {
        return moeBlocks.clone();
    }

    public int moeBlockCount() {
        return moeBlocks.length;
    }

    public int experts(int block) {
        return block < expertsPerBlock.length ? expertsPerBlock[block] : 0;
    }

    public int maxExperts() {
        int m = 0;
        for (int e : expertsPerBlock) m = Math.max(m, e);
        return m;
    }

    public int key(int block, int expert) {
        if (block < 0 || block >= expertsPerBlock.length || expert < 0 || expert >= expertsPerBlock[block]) {
            throw new IllegalArgumentException("no routed expert " + expert + " in block " + block);
        }
        return offset[block] + expert;
    }

    public int blockOf(int key) {
        return blockOfKey[key];
    }

    public int expertOf(int key) {
        return key - offset[blockOfKey[key]];
    }

    /** First key of a block. */
    public int firstKey(int block) {
        return offset[block];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpertKeys k && Arrays.equals(k.expertsPerBlock, expertsPerBlock);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(expertsPerBlock);
    }

    @Override
    public String toString() {
        return total + " experts in " + moeBlocks.length + " MoE blocks";
    }
}
