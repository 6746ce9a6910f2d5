package org.moe4j.tools.train;

import org.moe4j.util.WorkerPool;

/**
 * The loss and gradient of one batch split into micro-batches: all forward passes in parallel, then the
 * batch-wide routing statistics (the balancing loss needs the expert load of the whole batch, not of a
 * micro-batch), then all backward passes in parallel, then the micro-batch gradients summed in a fixed order,
 * so a step gives the same result however the threads are scheduled.
 */
final class BatchGradient {
    private final Transformer model;
    private final Activations[] shards;
    private final WorkerPool pool;
    final float[] grad;

    /** Losses of a batch and the expert load of every block ({@code load[layer][expert]} = pairs routed). */
    record Result(double crossEntropy, double balance, double zLoss, long[][] load, int tokens) {
        double total(float balanceWeight, float zWeight) {
            return crossEntropy + balanceWeight * balance + zWeight * zLoss;
        }
    }

    BatchGradient(Transformer model, int microBatches, int sequencesPerMicroBatch, WorkerPool pool) {
        long bytes = 4 * (microBatches * Activations.floats(model.shape(), sequencesPerMicroBatch, model.shape().context(),
                model.layout().size()) + 5L * model.layout().size());
        long available = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        if (bytes > available * 0.9) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "training this model with this batch needs about %.1f GiB of memory, %.1f GiB are available; lower --batch or "
                            + "--ctx, or raise the heap (MOE4J_JAVA_OPTS=-Xmx...)", bytes / 1073741824.0, available / 1073741824.0));
        }
        this.model = model;
        this.pool = pool;
        this.shards = new Activations[microBatches];
        for (int i = 0; i < microBatches; i++) shards[i] = model.newActivations(sequencesPerMicroBatch);
        this.grad = new float[model.layout().size()];
    }

    int sequences() {
        return shards.length * shards[0].sequences;
    }

    /** The micro-batch holding sequence {@code seq} of the batch, for filling tokens and targets. */
    Activations shardOf(int seq) {
        return shards[seq / shards[0].sequences];
    }

    int offsetOf(int seq) {
        return (seq % shards[0].sequences) * shards[0].tokensPerSequence;
    }

    /** Forward passes only (evaluation, finite differences). */
    Result forward(Weights w) {
        pool.parallelFor(shards.length, 1, (from, to) -> {
            for (int s = from; s < to; s++) model.forward(w, shards[s]);
        });
        return totals();
    }

    /** Forward and backward; leaves the batch gradient in {@link #grad}. */
    Result compute(Weights w, float balanceWeight, float zWeight) {
        Result r = forward(w);
        ModelShape shape = model.shape();
        double[][] fraction = new double[shape.layers()][shape.experts()];
        for (int l = 0; l < shape.layers(); l++) {
            for (int e = 0; e < shape.experts(); e++) fraction[l][e] = (double) r.load[l][e] / ((long) r.tokens * shape.topK());
        }
        int targets = 0;
        for (Activations a : shards) targets += a.lossCount;
        Transformer.BatchTotals totals = new Transformer.BatchTotals(targets, r.tokens, fraction, balanceWeight, zWeight);
        pool.parallelFor(shards.length, 1, (from, to) -> {
            for (int s = from; s < to; s++) model.backward(w, shards[s], totals);
        });
        int n = grad.length;
        pool.parallelFor(n, Math.max(4096, n / (pool.threads() * 4)), (from, to) -> {
            System.arraycopy(shards[0].grad, from, grad, from, to - from);
            for (int s = 1; s < shards.length; s++) org.moe4j.tensor.VectorOps.add(shards[s].grad, from, grad, from, to - from);
        });
        return r;
    }

    private Result totals() {
        ModelShape shape = model.shape();
        int layers = shape.layers(), e = shape.experts();
        long[][] load = new long[layers][e];
        double[][] probSum = new double[layers][e];
        double[] zSum = new double[layers];
        double loss = 0;
        int targets = 0;
        int tokens = 0;
        for (Activations a : shards) {
            loss += a.lossSum;
            targets += a.lossCount;
            tokens += a.n;
            for (int l = 0; l < layers; l++) {
                Activations.Routing r = a.layers[l].routing;
                for (int x = 0; x < e; x++) {
                    load[l][x] += r.counts[x];
                    probSum[l][x] += r.probSum[x];
                }
                zSum[l] += r.zSquaredSum;
            }
        }
        double balance = 0, z = 0;
        for (int l = 0; l < layers; l++) {
            double b = 0;
            for (int x = 0; x < e; x++) b += ((double) load[l][x] / ((long) tokens * shape.topK())) * (probSum[l][x] / tokens);
            balance += e * b;
            z += zSum[l] / tokens;
        }
        return new Result(targets == 0 ? 0 : loss / targets, balance / layers, z / layers, load, tokens);
    }
}
