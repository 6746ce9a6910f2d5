package org.moe4j.tools.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.moe4j.util.Progress;
import org.moe4j.util.WorkerPool;

/**
 * The training loop: sample a batch of random windows from the training stream, compute loss and gradient,
 * clip the gradient's global norm, take an AdamW step with the scheduled learning rate; every
 * {@code evalEvery} steps measure held-out perplexity, every {@code checkpointEvery} steps (and when asked to
 * stop) write a checkpoint.
 */
public final class Trainer {
    private final Transformer model;
    private final TrainSettings settings;
    private final TokenStreams data;
    private final BpeVocabulary vocab;
    private final WorkerPool pool;
    private final Weights weights;
    private final AdamW adam;
    private final BatchGradient batch;
    private final SplitMix rng;
    private final PrintStream log;
    private long step;
    private long tokens;
    private double seconds;
    private Evaluation lastEval;
    private long[][] loadSinceLog;

    /** A fresh run with initialised weights. */
    public Trainer(ModelShape shape, TrainSettings settings, TokenStreams data, BpeVocabulary vocab, WorkerPool pool, PrintStream log) {
        this(shape, settings, data, vocab, pool, log, null);
    }

    /** Continues from a checkpoint (its shape, settings and vocabulary must be the ones given). */
    public Trainer(Checkpoint.Contents c, TokenStreams data, WorkerPool pool, PrintStream log) {
        this(c.shape(), c.settings(), data, c.vocab(), pool, log, c);
    }

    private Trainer(ModelShape shape, TrainSettings settings, TokenStreams data, BpeVocabulary vocab, WorkerPool pool,
                    PrintStream log, Checkpoint.Contents from) {
        if (data.trainTokens() <= shape.context() + 1) {
            throw new IllegalArgumentException("the training text has " + data.trainTokens() + " tokens, fewer than one window of "
                    + (shape.context() + 1));
        }
        this.model = new Transformer(shape);
        this.settings = settings;
        this.data = data;
        this.vocab = vocab;
        this.pool = pool;
        this.log = log;
        this.weights = new Weights(model.layout());
        this.adam = new AdamW(model.layout(), settings.beta1(), settings.beta2(), 1e-8f, settings.weightDecay());
        this.batch = new BatchGradient(model, settings.microBatches(), settings.batchSequences() / settings.microBatches(), pool);
        this.loadSinceLog = new long[shape.layers()][shape.experts()];
        if (from == null) {
            Initializer.initialize(weights, shape, settings.seed());
            rng = new SplitMix(settings.seed() * 0x9E3779B97F4A7C15L + 1);
        } else {
            System.arraycopy(from.params(), 0, weights.values, 0, weights.values.length);
            System.arraycopy(from.m(), 0, adam.m, 0, adam.m.length);
            System.arraycopy(from.v(), 0, adam.v, 0, adam.v.length);
            weights.refresh(pool);
            rng = new SplitMix(from.state().rngState());
            step = from.state().step();
            tokens = from.state().tokens();
            seconds = from.state().seconds();
        }
    }

    public Transformer model() {
        return model;
    }

    /** The current parameters (flat, see {@link ParameterLayout}). */
    public float[] parameters() {
        return weights.values;
    }

    public TrainState state() {
        return new TrainState(step, tokens, seconds, rng.state);
    }

    public Evaluation lastEvaluation() {
        return lastEval;
    }

    /** Whether the step budget or the time budget is used up. */
    public boolean finished() {
        boolean byTime = settings.timeLimitSeconds() > 0 && seconds >= settings.timeLimitSeconds();
        boolean bySteps = settings.steps() > 0 && step >= settings.steps();
        return byTime || bySteps;
    }

    private double progress() {
        if (settings.timeLimitSeconds() > 0) return seconds / settings.timeLimitSeconds();
        return (double) step / settings.steps();
    }

    /**
     * Trains until done or until {@code stop} is set; then writes a checkpoint (when {@code checkpoint} is not
     * null). Returns whether training finished (false: stopped early).
     */
    public boolean run(AtomicBoolean stop, Path checkpoint) {
        long total = settings.timeLimitSeconds() > 0 ? (long) Math.ceil(settings.timeLimitSeconds()) : settings.steps();
        String unit = settings.timeLimitSeconds() > 0 ? "s" : "steps";
        int tokensPerStep = settings.batchSequences() * model.shape().context();
        try (Progress bar = new Progress("train", total, unit)) {
            long windowStart = System.nanoTime();
            long windowTokens = 0;
            double lossSum = 0;
            int lossSteps = 0;
            while (!finished() && !stop.get()) {
                long t0 = System.nanoTime();
                BatchGradient.Result r = trainStep();
                double dt = (System.nanoTime() - t0) / 1e9;
                seconds += dt;
                tokens += tokensPerStep;
                windowTokens += tokensPerStep;
                lossSum += r.crossEntropy();
                lossSteps++;
                ExpertLoad.add(loadSinceLog, r.load());
                double rate = windowTokens / ((System.nanoTime() - windowStart) / 1e9);
                bar.set(settings.timeLimitSeconds() > 0 ? (long) seconds : step);
                bar.status(String.format(Locale.ROOT, "loss %.3f | %.0f tok/s | %s%s", r.crossEntropy(), rate,
                        ExpertLoad.of(loadSinceLog), lastEval == null ? "" : " | val ppl " + String.format(Locale.ROOT, "%.2f", lastEval.perplexity())));
                boolean evalNow = settings.evalEvery() > 0 && step % settings.evalEvery() == 0;
                if (evalNow || finished()) {
                    lastEval = evaluate(settings.evalWindows());
                    log.printf(Locale.ROOT, "step %d | %.1f%% | loss %.4f (balance %.4f, z %.4f) | %s | %.0f tok/s | %s | lr %.2e%n",
                            step, 100 * Math.min(1, progress()), lossSum / lossSteps, r.balance(), r.zLoss(), lastEval.summary(),
                            rate, ExpertLoad.of(loadSinceLog), settings.schedule().at(step, progress()));
                    log.flush();
                    lossSum = 0;
                    lossSteps = 0;
                    windowStart = System.nanoTime();
                    windowTokens = 0;
                    loadSinceLog = new long[model.shape().layers()][model.shape().experts()];
                }
                if (checkpoint != null && settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0 && !finished()) {
                    saveCheckpoint(checkpoint);
                }
            }
        }
        if (checkpoint != null) saveCheckpoint(checkpoint);
        return finished();
    }

    /** One optimizer step on a fresh random batch. */
    BatchGradient.Result trainStep() {
        int t = model.shape().context();
        for (int s = 0; s < batch.sequences(); s++) {
            int start = rng.nextInt(data.train.length - t);
            Activations a = batch.shardOf(s);
            int off = batch.offsetOf(s);
            System.arraycopy(data.train, start, a.tokens, off, t);
            System.arraycopy(data.train, start + 1, a.targets, off, t);
        }
        BatchGradient.Result r = batch.compute(weights, settings.balanceWeight(), settings.zLossWeight());
        clip(batch.grad, settings.gradientClip());
        float lr = settings.schedule().at(step, progress());
        step++;
        adam.update(weights.values, batch.grad, lr, step, pool);
        weights.refresh(pool);
        return r;
    }

    private void clip(float[] g, float maxNorm) {
        if (maxNorm <= 0) return;
        double ss = 0;
        for (float x : g) ss += (double) x * x;
        double norm = Math.sqrt(ss);
        if (!Double.isFinite(norm)) throw new IllegalStateException("the gradient is not finite at step " + step + " (lower --lr?)");
        if (norm > maxNorm) {
            float f = (float) (maxNorm / norm);
            org.moe4j.tensor.VectorOps.scale(g, 0, f, g, 0, g.length);
        }
    }

    /**
     * Perplexity over consecutive windows of the held-out streams ({@code maxWindows} per file at most, 0 = all),
     * every position of a window scored.
     */
    public Evaluation evaluate(int maxWindows) {
        int t = model.shape().context();
        int perBatch = batch.sequences();
        double[] nll = new double[data.heldOut.size()];
        int[] count = new int[data.heldOut.size()];
        long[][][] load = new long[data.heldOut.size()][model.shape().layers()][model.shape().experts()];
        for (int c = 0; c < data.heldOut.size(); c++) {
            int[] h = data.heldOut.get(c);
            int windows = (h.length - 1) / t;
            if (maxWindows > 0) windows = Math.min(windows, maxWindows);
            for (int w0 = 0; w0 < windows; w0 += perBatch) {
                int used = Math.min(perBatch, windows - w0);
                for (int s = 0; s < perBatch; s++) {
                    Activations a = batch.shardOf(s);
                    int off = batch.offsetOf(s);
                    if (s < used) {
                        System.arraycopy(h, (w0 + s) * t, a.tokens, off, t);
                        System.arraycopy(h, (w0 + s) * t + 1, a.targets, off, t);
                    } else {
                        java.util.Arrays.fill(a.tokens, off, off + t, 0);
                        java.util.Arrays.fill(a.targets, off, off + t, -1);
                    }
                }
                BatchGradient.Result r = batch.forward(weights);
                nll[c] += r.crossEntropy() * ((long) used * t);
                count[c] += used * t;
                if (used == perBatch) ExpertLoad.add(load[c], r.load());
            }
        }
        double all = 0;
        int allCount = 0;
        double[] ppl = new double[nll.length];
        for (int c = 0; c < nll.length; c++) {
            ppl[c] = count[c] == 0 ? Double.NaN : Math.exp(nll[c] / count[c]);
            all += nll[c];
            allCount += count[c];
        }
        return new Evaluation(allCount == 0 ? Double.NaN : Math.exp(all / allCount), data.names, ppl, allCount, load);
    }

    public void saveCheckpoint(Path path) {
        Checkpoint.save(path, new Checkpoint.Contents(model.shape(), settings, state(), vocab, weights.values, adam.m, adam.v));
    }
}
