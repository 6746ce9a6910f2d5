package org.moe4j.moe.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import org.moe4j.model.GatedFfn;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.quant.Quantizers;
import org.moe4j.util.Progress;

/**
 * Resident low-bit copies of every routed expert, made by moe4j from the model's own weights (each
 * matrix dequantized and quantized again to a small type such as Q4_0 or Q2_K). On a miss, mixed
 * precision runs the copy instead of waiting for the full-precision expert.
 */
final class LowBitExperts {
    private final GatedFfn.Weights[] weights;
    private final long bytes;

    private LowBitExperts(GatedFfn.Weights[] weights, long bytes) {
        this.weights = weights;
        this.bytes = bytes;
    }

    /** Bytes the copies of all experts of {@code layout} take in {@code type}. */
    static long bytes(ExpertLayout layout, GGMLType type) {
        long s = 0;
        for (int k = 0; k < layout.keys().size(); k++) {
            for (ExpertLayout.Piece p : layout.pieces(k)) {
                if (p.cols() % type.blockSize != 0) {
                    throw new IllegalArgumentException("mixed precision in " + type + " needs rows of a multiple of " + type.blockSize
                            + " weights; " + p.name() + " has rows of " + p.cols());
                }
                s += aligned(type.bytesFor(p.cols() * p.rows()));
            }
        }
        return s;
    }

    private static long aligned(long b) {
        return (b + 63) / 64 * 64;
    }

    /**
     * Reads every expert once (through {@code reader}, into {@code staging}, which must hold one slot)
     * and writes its copy into {@code memory} (at least {@link #bytes} long).
     */
    static LowBitExperts build(ExpertLayout layout, ExpertReader reader, GGMLType type, MemorySegment staging, MemorySegment memory) {
        int n = layout.keys().size();
        GatedFfn.Weights[] w = new GatedFfn.Weights[n];
        long at = 0;
        float[] rows = new float[0];
        try (Progress progress = new Progress("low-bit copies (" + type + ")", n, "experts")) {
            for (int k = 0; k < n; k++) {
                ExpertLayout.Piece[] pieces = layout.pieces(k);
                Tensor[] t = new Tensor[3];
                for (int j = 0; j < 3; j++) {
                    ExpertLayout.Piece p = pieces[j];
                    MemorySegment dst = staging.asSlice(p.slotOffset(), p.readLength());
                    try {
                        reader.read(p, dst);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + p.name() + " for its low-bit copy: " + e.getMessage(), e);
                    }
                    Tensor src = new Tensor(p.name(), p.type(), new long[]{p.cols(), p.rows()}, staging.asSlice(p.dataOffset(), p.length()));
                    int cols = Math.toIntExact(p.cols()), r = Math.toIntExact(p.rows());
                    if (rows.length < cols * r) rows = new float[cols * r];
                    for (int row = 0; row < r; row++) src.dequantizeRow(row, rows, row * cols);
                    long size = type.bytesFor((long) cols * r);
                    MemorySegment out = memory.asSlice(at, size);
                    Quantizers.quantizeRows(type, rows, 0, r, cols, out, 0, true);
                    t[j] = new Tensor(p.name() + "@" + type, type, new long[]{cols, r}, out);
                    at += aligned(size);
                }
                w[k] = layout.withMatrices(k, t[0], t[1], t[2]);
                progress.set(k + 1);
            }
        }
        return new LowBitExperts(w, at);
    }

    GatedFfn.Weights weights(int key) {
        return weights[key];
    }

    long bytes() {
        return bytes;
    }
}
