package org.moe4j.moe.cache;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.model.GatedFfn;
import org.moe4j.model.Model;
import org.moe4j.moe.MappedExpertStore;
import org.moe4j.moe.MoeFeedForward;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.Tensor;

/**
 * Where each routed expert's bytes are in the model file and where they go in a cache slot. An expert
 * is three pieces (gate, up, down matrices); each is read as whole aligned blocks (what O_DIRECT needs)
 * into a block-aligned place of the slot, and the expert's tensors are views of the slot at the piece's
 * offset inside those blocks. Biases (gpt-oss) are small and stay on the heap, shared with the mapping.
 */
public final class ExpertLayout {
    /** One matrix of an expert: file bytes {@code [fileOffset, fileOffset + length)}, read as {@code [readStart, readStart + readLength)}. */
    public record Piece(String name, GGMLType type, long cols, long rows, long fileOffset, long length,
                        long readStart, long readLength, long slotOffset) {
        /** Offset in the slot of the piece's first byte. */
        long dataOffset() {
            return slotOffset + fileOffset - readStart;
        }
    }

    private record Expert(Piece[] pieces, float[] gateBias, float[] upBias, float[] downBias) {
    }

    private final GGUFFile file;
    private final ExpertKeys keys;
    private final Expert[] experts;
    private final int[] topK;
    private final long alignment;
    private final long slotBytes;

    private ExpertLayout(GGUFFile file, ExpertKeys keys, Expert[] experts, int[] topK, long alignment) {
        this.file = file;
        this.keys = keys;
        this.experts = experts;
        this.topK = topK;
        this.alignment = alignment;
        long slot = 0;
        for (Expert x : experts) {
            Piece last = x.pieces[x.pieces.length - 1];
            slot = Math.max(slot, last.slotOffset + last.readLength);
        }
        this.slotBytes = slot;
    }

    /**
     * The layout of a model whose experts are still served by the mapping (its store must be the
     * {@link MappedExpertStore} the loader made). Nothing is read: only tensor positions are looked up.
     */
    public static ExpertLayout of(Model model, long alignment) {
        if (!(model.expertStore() instanceof MappedExpertStore mapped)) {
            throw new IllegalStateException("the model's experts are already served by " + model.expertStore().getClass().getSimpleName());
        }
        GGUFFile file = model.file();
        if (file.path() == null) throw new IllegalArgumentException("the expert cache reads experts from a file; this model was loaded from memory");
        int blocks = model.blockCount();
        int[] counts = new int[blocks];
        int[] topK = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            if (model.block(b).feedForward() instanceof MoeFeedForward moe) {
                counts[b] = mapped.expertCount(b);
                topK[b] = moe.router().config().topK();
            }
        }
        ExpertKeys keys = new ExpertKeys(counts);
        if (keys.size() == 0) {
            throw new IllegalArgumentException(file.path().getFileName() + " has no routed experts: an expert cache has nothing to manage");
        }
        Expert[] experts = new Expert[keys.size()];
        for (int b : keys.moeBlocks()) {
            for (int e = 0; e < counts[b]; e++) {
                GatedFfn.Weights w = mapped.acquire(b, e);
                Tensor[] t = {w.gate(), w.up(), w.down()};
                Piece[] pieces = new Piece[3];
                long slot = 0;
                for (int j = 0; j < 3; j++) {
                    long off = file.fileOffsetOf(t[j].data());
                    long len = t[j].byteSize();
                    long start = off / alignment * alignment;
                    long end = (off + len + alignment - 1) / alignment * alignment;
                    pieces[j] = new Piece(t[j].name(), t[j].type(), t[j].cols(), t[j].rows(), off, len, start, end - start, slot);
                    slot += end - start;
                }
                experts[keys.key(b, e)] = new Expert(pieces, w.gateBias(), w.upBias(), w.downBias());
            }
        }
        return new ExpertLayout(file, keys, experts, topK, alignment);
    }

    public GGUFFile file() {
        return file;
    }

    public ExpertKeys keys() {
        return keys;
    }

    /** Bytes of one cache slot: room for the largest expert with its pieces block-aligned. */
    public long slotBytes() {
        return slotBytes;
    }

    public long alignment() {
        return alignment;
    }

    Piece[] pieces(int key) {
        return experts[key].pieces;
    }

    /** Experts the router of a block selects per token (its trained top-k), 0 for dense blocks. */
    public int topK(int block) {
        return topK[block];
    }

    /** Expert accesses per token over all MoE blocks at the trained top-k. */
    public int activePerToken() {
        int s = 0;
        for (int k : topK) s += k;
        return s;
    }

    /** The most experts one token can select in one layer (the working set the budget must hold). */
    public int maxTopK() {
        int m = 0;
        for (int k : topK) m = Math.max(m, k);
        return m;
    }

    /** Payload bytes of an expert (gate + up + down), as stored in the file. */
    public long expertBytes(int key) {
        long s = 0;
        for (Piece p : experts[key].pieces) s += p.length;
        return s;
    }

    public long totalExpertBytes() {
        long s = 0;
        for (int k = 0; k < experts.length; k++) s += expertBytes(k);
        return s;
    }

    /** The expert's weights as views of its slot, with the mapping's biases. */
    GatedFfn.Weights weights(int key, MemorySegment slot) {
        Expert x = experts[key];
        Tensor[] t = new Tensor[3];
        for (int j = 0; j < 3; j++) {
            Piece p = x.pieces[j];
            t[j] = new Tensor(p.name, p.type, new long[]{p.cols, p.rows}, slot.asSlice(p.dataOffset(), p.length));
        }
        return new GatedFfn.Weights(t[0], t[1], t[2], x.gateBias, x.upBias, x.downBias);
    }

    /** The biases of an expert with other matrices (its low-bit copy). */
    GatedFfn.Weights withMatrices(int key, Tensor gate, Tensor up, Tensor down) {
        Expert x = experts[key];
        return new GatedFfn.Weights(gate, up, down, x.gateBias, x.upBias, x.downBias);
    }

    /** The file ranges that hold experts, merged where they touch, ascending. */
    public List<long[]> fileRanges() {
        List<long[]> all = new ArrayList<>();
        for (Expert x : experts) for (Piece p : x.pieces) all.add(new long[]{p.fileOffset, p.fileOffset + p.length});
        all.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : all) {
            if (!merged.isEmpty() && merged.getLast()[1] >= r[0]) merged.getLast()[1] = Math.max(merged.getLast()[1], r[1]);
            else merged.add(r.clone());
        }
        return merged;
    }

    /** Same file, same expert positions: another model instance of the same file may share the cache. */
    public boolean sameAs(ExpertLayout o) {
        if (!keys.equals(o.keys) || !file.path().toAbsolutePath().equals(o.file.path().toAbsolutePath())) return false;
        for (int k = 0; k < experts.length; k++) {
            if (!Arrays.equals(experts[k].pieces, o.experts[k].pieces)) return false;
        }
        return true;
    }
}
