package org.moe4j.tools.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moe4j.util.WorkerPool;

/**
 * Every backward pass against central finite differences of the whole model's loss, on tiny shapes. The model
 * computes in float, so the loss is accumulated in double and the step is large enough (1e-2 on weights of
 * order 0.3 to 1) that rounding stays far below the tolerance; elements whose perturbation changes an expert
 * selection (where the loss is not differentiable) are replaced by others.
 */
class GradientCheckTest {
    private static final double EPS = 1e-2;
    private static WorkerPool pool;

    @BeforeAll
    static void start() {
        pool = new WorkerPool(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    // Each test perturbs the parameters of one kind of layer; the loss is always the whole model's, so the
    // check also covers the input gradients that flow back through every layer above.

    @Test
    void embeddingAndTiedOutputHeadWithCrossEntropy() {
        check(TinyModel.moe(), 0.05f, 0.02f, List.of("token_embd"));
    }

    @Test
    void rmsNorms() {
        check(TinyModel.moe(), 0.05f, 0.02f, List.of("attn_norm", "ffn_norm", "output_norm"));
    }

    @Test
    void attentionProjectionsWithRopeAndQkNorm() {
        check(TinyModel.moe(), 0.05f, 0.02f, List.of("attn_q.", "attn_k.", "attn_v.", "attn_output", "attn_q_norm", "attn_k_norm"));
    }

    @Test
    void routerThroughTopKAndRenormalisation() {
        check(TinyModel.moe(), 0f, 0f, List.of("ffn_gate_inp"));
    }

    @Test
    void routerWithBothAuxiliaryLosses() {
        check(TinyModel.moe(), 0.05f, 0.02f, List.of("ffn_gate_inp"));
    }

    @Test
    void loadBalancingLossAloneDrivesTheRouterGradient() {
        // a large weight makes the balancing term dominate the router gradient, so an error in it cannot hide
        check(TinyModel.moe(), 5f, 0f, List.of("ffn_gate_inp"));
    }

    @Test
    void zLossAloneDrivesTheRouterGradient() {
        check(TinyModel.moe(), 0f, 5f, List.of("ffn_gate_inp"));
    }

    @Test
    void swigluExperts() {
        check(TinyModel.moe(), 0.05f, 0.02f, List.of("ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"));
    }

    @Test
    void everyTensorOfTheDenseVariant() {
        check(TinyModel.dense(), 0f, 0f, List.of());
    }

    private static void check(ModelShape shape, float balance, float z, List<String> only) {
        Transformer model = new Transformer(shape);
        Weights w = TinyModel.weights(model.layout(), 11, 0.4);
        BatchGradient bg = TinyModel.batch(model, 2, 2, 5, pool);
        bg.compute(w, balance, z);
        float[] analytic = bg.grad.clone();
        int[][] selections = selections(bg, shape);
        SplittableRandom r = new SplittableRandom(3);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (ParameterLayout.Tensor t : model.layout().tensors()) {
            if (!only.isEmpty() && only.stream().noneMatch(t.name()::contains)) continue;
            if (shape.dense() && t.name().contains("ffn_gate_inp")) continue; // a one-expert router has no gradient
            int done = 0;
            for (int attempt = 0; attempt < 60 && done < 6; attempt++) {
                int i = t.offset() + r.nextInt(t.size());
                Double numeric = numeric(bg, w, i, balance, z, selections, shape);
                if (numeric == null) continue; // the perturbation changed a routing decision
                double a = analytic[i];
                double tol = 1e-4 + 1e-2 * Math.max(Math.abs(a), Math.abs(numeric));
                if (Math.abs(a - numeric) > tol) {
                    failures.add(String.format("%s[%d]: analytic %.6g, numeric %.6g", t.name(), i - t.offset(), a, numeric));
                }
                done++;
                checked++;
            }
            assertThat(done).as("elements checked in " + t.name()).isGreaterThanOrEqualTo(3);
        }
        assertThat(checked).isPositive();
        assertThat(failures).isEmpty();
    }

    /** Every expert choice of every token and block. */
    private static int[][] selections(BatchGradient bg, ModelShape shape) {
        int[][] s = new int[bg.sequences() * shape.layers()][];
        int per = bg.shardOf(0).sequences;
        for (int seq = 0; seq < bg.sequences(); seq += per) {
            for (int l = 0; l < shape.layers(); l++) s[seq * shape.layers() + l] = bg.shardOf(seq).layers[l].routing.selected.clone();
        }
        return s;
    }

    private static Double numeric(BatchGradient bg, Weights w, int i, float balance, float z, int[][] selections, ModelShape shape) {
        float old = w.values[i];
        w.values[i] = (float) (old + EPS);
        w.refresh(null);
        BatchGradient.Result plus = bg.forward(w);
        boolean same = Arrays.deepEquals(selections(bg, shape), selections);
        w.values[i] = (float) (old - EPS);
        w.refresh(null);
        BatchGradient.Result minus = bg.forward(w);
        same &= Arrays.deepEquals(selections(bg, shape), selections);
        w.values[i] = old;
        w.refresh(null);
        if (!same) return null;
        double step = ((double) (float) (old + EPS) - (double) (float) (old - EPS));
        return (plus.total(balance, z) - minus.total(balance, z)) / step;
    }
}
