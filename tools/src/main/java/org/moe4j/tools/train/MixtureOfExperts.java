package org.moe4j.tools.train;

import java.util.Arrays;
import org.moe4j.tensor.VectorOps;

/**
 * Forward and backward of a {@code qwen3moe} feed-forward block: RMSNorm, router (softmax over the experts,
 * top-k by probability with ties to the lower index, selected probabilities renormalised to sum 1, as moe4j's
 * router does), SwiGLU experts run on the rows routed to them, weighted sum and the residual add.
 *
 * <p>The backward pass includes two router losses. Load balancing (Switch Transformer):
 * {@code E · Σ_e f_e · P_e} per block, where {@code f_e} is the fraction of the global batch's (token, choice)
 * pairs sent to expert e (a constant for the gradient) and {@code P_e} the mean router probability of e; the
 * router z-loss: the mean of {@code (log Σ exp z)²} over tokens. Both are averaged over blocks and weighted.
 */
final class MixtureOfExperts {
    private final ModelShape s;

    MixtureOfExperts(ModelShape s) {
        this.s = s;
    }

    /** Reads {@code a.xMid}, writes {@code next = xMid + moe(norm(xMid))}. */
    void forward(Weights w, ParameterLayout.Block b, Activations.Layer a, Activations act, float[] next) {
        int n = act.n;
        int d = s.dim(), e = s.experts(), k = s.topK(), hid = s.expertHidden();
        float[] p = w.values;
        for (int i = 0; i < n; i++) a.r2[i] = Kernels.rmsNorm(a.xMid, i * d, p, b.ffnNorm(), s.normEps(), a.xn2, i * d, d);
        Activations.Routing r = a.routing;
        route(w, b, a, n);
        // group (token, choice) pairs by expert, in token order within an expert
        Arrays.fill(r.counts, 0);
        for (int i = 0; i < n * k; i++) r.counts[r.selected[i]]++;
        r.starts[0] = 0;
        for (int x = 0; x < e; x++) r.starts[x + 1] = r.starts[x] + r.counts[x];
        int[] fill = r.starts.clone();
        for (int i = 0; i < n * k; i++) {
            int row = fill[r.selected[i]]++;
            r.rowOfPair[i] = row;
            r.pairOfRow[row] = i;
            System.arraycopy(a.xn2, (i / k) * d, a.expertIn, row * d, d);
        }
        for (int x = 0; x < e; x++) {
            int m = r.counts[x];
            if (m == 0) continue;
            int r0 = r.starts[x];
            int wOff = x * d * hid;
            Gemm.mul(m, hid, d, a.expertIn, r0 * d, d, 1, w.transposed, b.gate() + wOff, hid, a.gate, r0 * hid, hid, false);
            Gemm.mul(m, hid, d, a.expertIn, r0 * d, d, 1, w.transposed, b.up() + wOff, hid, a.up, r0 * hid, hid, false);
            Kernels.swiglu(a.gate, a.up, a.hidden, r0 * hid, m * hid);
            Gemm.mul(m, d, hid, a.hidden, r0 * hid, hid, 1, w.transposed, b.down() + wOff, d, a.expertOut, r0 * d, d, false);
        }
        System.arraycopy(a.xMid, 0, next, 0, n * d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                VectorOps.axpy(r.weights[i * k + j], a.expertOut, r.rowOfPair[i * k + j] * d, next, i * d, d);
            }
        }
    }

    private void route(Weights w, ParameterLayout.Block b, Activations.Layer a, int n) {
        Activations.Routing r = a.routing;
        int e = s.experts(), k = s.topK();
        Arrays.fill(r.probSum, 0);
        r.zSquaredSum = 0;
        if (e == 1) { // dense: the single expert always has weight 1
            Arrays.fill(r.probs, 1f);
            Arrays.fill(r.selected, 0);
            Arrays.fill(r.weights, 1f);
            r.probSum[0] = n;
            return;
        }
        Gemm.mul(n, e, s.dim(), a.xn2, 0, s.dim(), 1, w.transposed, b.router(), e, r.probs, 0, e, false);
        for (int i = 0; i < n; i++) {
            int o = i * e;
            float max = Float.NEGATIVE_INFINITY;
            for (int x = 0; x < e; x++) max = Math.max(max, r.probs[o + x]);
            double sum = 0;
            for (int x = 0; x < e; x++) sum += (float) Math.exp(r.probs[o + x] - max);
            float lse = max + (float) Math.log(sum);
            r.logPartition[i] = lse;
            r.zSquaredSum += (double) lse * lse;
            VectorOps.softmax(r.probs, o, e); // the same arithmetic as moe4j's router, so selections agree
            for (int x = 0; x < e; x++) r.probSum[x] += r.probs[o + x];
            float chosen = 0;
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int x = 0; x < e; x++) {
                    if (taken(r.selected, i * k, j, x)) continue;
                    if (best < 0 || r.probs[o + x] > r.probs[o + best]) best = x;
                }
                r.selected[i * k + j] = best;
                chosen += r.probs[o + best];
            }
            chosen = Math.max(chosen, 6.103515625e-5f);
            for (int j = 0; j < k; j++) r.weights[i * k + j] = r.probs[o + r.selected[i * k + j]] / chosen;
        }
    }

    private static boolean taken(int[] sel, int off, int count, int x) {
        for (int j = 0; j < count; j++) if (sel[off + j] == x) return true;
        return false;
    }

    /**
     * Given {@code act.dx = dL/dnext}, accumulates parameter gradients and adds the path through the block to
     * {@code act.dx}, which becomes {@code dL/dxMid}.
     *
     * @param expertFraction {@code f_e} of this block over the global batch
     * @param balanceCoef    gradient of the balancing loss per unit of {@code f_e}, per token probability
     * @param zCoef          gradient coefficient of the z-loss per token: {@code weight / (blocks · tokens)}
     */
    void backward(Weights w, ParameterLayout.Block b, Activations.Layer a, Activations act,
                  double[] expertFraction, float balanceCoef, float zCoef) {
        int n = act.n;
        int d = s.dim(), e = s.experts(), k = s.topK(), hid = s.expertHidden();
        float[] p = w.values;
        float[] g = act.grad;
        float[] dx = act.dx;
        Activations.Routing r = a.routing;
        for (int i = 0; i < n * k; i++) {
            int row = r.rowOfPair[i];
            int t = i / k;
            r.gateGrad[i] = VectorOps.dot(dx, t * d, a.expertOut, row * d, d);
            VectorOps.scale(dx, t * d, r.weights[i], act.dExpertOut, row * d, d);
        }
        for (int x = 0; x < e; x++) {
            int m = r.counts[x];
            if (m == 0) continue;
            int r0 = r.starts[x];
            int wOff = x * d * hid;
            Gemm.mul(m, hid, d, act.dExpertOut, r0 * d, d, 1, p, b.down() + wOff, hid, act.dHidden, r0 * hid, hid, false);
            Gemm.mul(d, hid, m, act.dExpertOut, r0 * d, 1, d, a.hidden, r0 * hid, hid, g, b.down() + wOff, hid, true);
            Kernels.swigluBackward(a.gate, a.up, act.dHidden, r0 * hid, m * hid);
            Gemm.mul(hid, d, m, a.gate, r0 * hid, 1, hid, a.expertIn, r0 * d, d, g, b.gate() + wOff, d, true);
            Gemm.mul(hid, d, m, a.up, r0 * hid, 1, hid, a.expertIn, r0 * d, d, g, b.up() + wOff, d, true);
            Gemm.mul(m, d, hid, a.gate, r0 * hid, hid, 1, p, b.gate() + wOff, d, act.dExpertIn, r0 * d, d, false);
            Gemm.mul(m, d, hid, a.up, r0 * hid, hid, 1, p, b.up() + wOff, d, act.dExpertIn, r0 * d, d, true);
        }
        float[] dxn = act.dxn;
        Arrays.fill(dxn, 0, n * d, 0f);
        for (int i = 0; i < n * k; i++) VectorOps.add(act.dExpertIn, r.rowOfPair[i] * d, dxn, (i / k) * d, d);
        if (e > 1) routerBackward(w, b, a, act, expertFraction, balanceCoef, zCoef);
        for (int i = 0; i < n; i++) {
            Kernels.rmsNormBackward(a.xMid, i * d, a.r2[i], p, b.ffnNorm(), dxn, i * d, dx, i * d, g, b.ffnNorm(), d, true);
        }
    }

    private void routerBackward(Weights w, ParameterLayout.Block b, Activations.Layer a, Activations act,
                                double[] expertFraction, float balanceCoef, float zCoef) {
        int n = act.n;
        int d = s.dim(), e = s.experts(), k = s.topK();
        Activations.Routing r = a.routing;
        float[] dz = act.dz;
        for (int i = 0; i < n; i++) {
            int o = i * e;
            float chosen = 0;
            float mixed = 0;
            for (int j = 0; j < k; j++) {
                chosen += r.probs[o + r.selected[i * k + j]];
                mixed += r.weights[i * k + j] * r.gateGrad[i * k + j];
            }
            chosen = Math.max(chosen, 6.103515625e-5f);
            for (int x = 0; x < e; x++) dz[o + x] = (float) (balanceCoef * expertFraction[x]);
            for (int j = 0; j < k; j++) dz[o + r.selected[i * k + j]] += (r.gateGrad[i * k + j] - mixed) / chosen;
            Kernels.softmaxBackward(r.probs, o, dz, o, e, 1f);
            float zc = zCoef * 2f * r.logPartition[i];
            for (int x = 0; x < e; x++) dz[o + x] += zc * r.probs[o + x];
        }
        Gemm.mul(e, d, n, dz, 0, 1, e, a.xn2, 0, d, act.grad, b.router(), d, true);
        Gemm.mul(n, d, e, dz, 0, e, 1, w.values, b.router(), d, act.dxn, 0, d, true);
    }
}
