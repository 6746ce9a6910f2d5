package org.moe4j.model;

import org.moe4j.tensor.MatMul;
import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.VectorOps;

/**
 * The gated feed-forward computation {@code down(act(gate x + bg, up x + bu)) + bd} on a block of rows.
 * Shared by dense FFN layers, shared experts and routed experts (one kernel, many weights).
 */
public final class GatedFfn {
    private GatedFfn() {
    }

    /** The weights of one gated FFN; biases may be null. */
    public record Weights(Tensor gate, Tensor up, Tensor down, float[] gateBias, float[] upBias, float[] downBias) {
        public Weights(Tensor gate, Tensor up, Tensor down) {
            this(gate, up, down, null, null, null);
        }

        public int hidden() {
            return gate.rows();
        }

        public long bytes() {
            return gate.byteSize() + up.byteSize() + down.byteSize();
        }
    }

    /**
     * {@code out[outOff + t*d ..] = FFN(x[xOff + t*d ..])} for {@code t < n}, where d = model width.
     * Uses the workspace slots GATE, UP.
     */
    public static void run(MatMul mm, Weights w, GluActivation act, float[] x, int xOff, int n,
                           float[] out, int outOff, Workspace ws) {
        int hidden = w.hidden();
        float[] g = ws.get(Workspace.Slot.GATE, n * hidden);
        float[] u = ws.get(Workspace.Slot.UP, n * hidden);
        mm.group().add(w.gate, x, xOff, n, g, 0).add(w.up, x, xOff, n, u, 0).run();
        activate(w, act, g, u, 0, n);
        mm.apply(w.down, g, 0, n, out, outOff);
        addDownBias(w, out, outOff, n);
    }

    /** {@code g = act(g + gateBias, u + upBias)} over {@code n} rows of the hidden width starting at row {@code row}. */
    public static void activate(Weights w, GluActivation act, float[] g, float[] u, int row, int n) {
        int hidden = w.hidden();
        for (int t = row; t < row + n; t++) {
            int o = t * hidden;
            if (w.gateBias != null) VectorOps.add(w.gateBias, 0, g, o, hidden);
            if (w.upBias != null) VectorOps.add(w.upBias, 0, u, o, hidden);
            for (int i = 0; i < hidden; i++) {
                g[o + i] = act.apply(g[o + i], u[o + i]);
            }
        }
    }

    public static void addDownBias(Weights w, float[] out, int outOff, int n) {
        if (w.downBias != null) {
            int d = w.down.rows();
            for (int t = 0; t < n; t++) VectorOps.add(w.downBias, 0, out, outOff + t * d, d);
        }
    }
}
