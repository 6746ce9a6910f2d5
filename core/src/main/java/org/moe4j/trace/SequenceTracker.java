package org.moe4j.trace;

import java.util.Arrays;

/**
 * Numbers the sequences a trace sees. Within a slot, every layer sees the same token positions in the
 * same order; when a layer sees a position that does not follow its last one in that slot, a new sequence
 * has started there (a cleared or rewound cache). Layers count these restarts independently and map the
 * n-th restart of a slot to the same sequence number, so all layers agree without knowing about batches.
 */
final class SequenceTracker {
    private int[][] lastPos = new int[0][];
    private int[][] epoch = new int[0][];
    private int[][] seqOfEpoch = new int[0][];
    private int[] epochs = new int[0];
    private int nextSeq;

    int seq(int slot, int layer, int pos) {
        if (slot >= lastPos.length) growSlots(slot + 1);
        if (layer >= lastPos[slot].length) {
            int old = lastPos[slot].length;
            lastPos[slot] = Arrays.copyOf(lastPos[slot], layer + 1);
            epoch[slot] = Arrays.copyOf(epoch[slot], layer + 1);
            Arrays.fill(lastPos[slot], old, layer + 1, Integer.MIN_VALUE);
        }
        int[] last = lastPos[slot];
        if (last[layer] != Integer.MIN_VALUE && pos <= last[layer]) epoch[slot][layer]++;
        last[layer] = pos;
        int e = epoch[slot][layer];
        if (e >= epochs[slot]) {
            if (e >= seqOfEpoch[slot].length) seqOfEpoch[slot] = Arrays.copyOf(seqOfEpoch[slot], Math.max(4, 2 * (e + 1)));
            seqOfEpoch[slot][e] = nextSeq++;
            epochs[slot] = e + 1;
        }
        return seqOfEpoch[slot][e];
    }

    private void growSlots(int n) {
        int old = lastPos.length;
        lastPos = Arrays.copyOf(lastPos, n);
        epoch = Arrays.copyOf(epoch, n);
        seqOfEpoch = Arrays.copyOf(seqOfEpoch, n);
        epochs = Arrays.copyOf(epochs, n);
        for (int s = old; s < n; s++) {
            lastPos[s] = new int[0];
            epoch[s] = new int[0];
            seqOfEpoch[s] = new int[0];
        }
    }
}
