package org.moe4j.tools.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tools.train.BpeTrainer;
import org.moe4j.tools.train.BpeVocabulary;
import org.moe4j.tools.train.Checkpoint;
import org.moe4j.tools.train.Evaluation;
import org.moe4j.tools.train.ExportCheck;
import org.moe4j.tools.train.GgufExport;
import org.moe4j.tools.train.ModelShape;
import org.moe4j.tools.train.TokenStreams;
import org.moe4j.tools.train.TrainSettings;
import org.moe4j.tools.train.Trainer;
import org.moe4j.tools.train.TrainingCorpus;
import org.moe4j.util.Progress;
import org.moe4j.util.WorkerPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a small Mixture-of-Experts language model from scratch on text files and export it as a "
                + "qwen3moe GGUF that moe4j and other GGUF engines load.",
                "First a byte-level BPE tokenizer (GPT-2 pre-tokenizer) is trained on the corpus; then a decoder-only "
                        + "transformer (RMSNorm, NEOX RoPE attention with grouped KV heads and per-head q/k norm, softmax "
                        + "top-k router, SwiGLU experts, tied embeddings) with AdamW, warm-up and cosine decay, gradient "
                        + "clipping, the switch load-balancing loss and the router z-loss. Every file is split into a "
                        + "training part and a held-out part (every --held-out-every-th block of text), on which perplexity "
                        + "is measured during training.",
                "Ctrl-C writes a checkpoint and stops; --resume continues from it.",
                "Example: moe4j train --corpus ../shared/corpus/kjv.txt --corpus ../shared/corpus/state_of_the_union.txt "
                        + "--steps 3000 --out my-model.gguf"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", paramLabel = "FILE", description = "UTF-8 text file to train on (repeatable)")
    List<Path> corpus = List.of();

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "GGUF file to write when training ends")
    Path out;

    @Option(names = "--type", defaultValue = "Q8_0", description = "Tensor type of the exported matrices: Q8_0, F16, BF16 or F32 (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint file (default: the output file + .ckpt)")
    Path checkpoint;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Write a checkpoint every N steps; 0 = only at the end or on Ctrl-C (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from the checkpoint: its model, tokenizer and settings, except a "
            + "--steps or --time given here (give the same --corpus files again)")
    boolean resume;

    @Option(names = "--vocab", defaultValue = "2048", description = "Vocabulary size of the BPE tokenizer (default: ${DEFAULT-VALUE})")
    int vocab;

    @Option(names = "--dim", defaultValue = "192", description = "Model width (default: ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "6", description = "Query heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "Key/value heads, grouped-query attention (default: ${DEFAULT-VALUE})")
    int kvHeads;

    @Option(names = "--head-dim", defaultValue = "32", description = "Dimension of a head (default: ${DEFAULT-VALUE})")
    int headDim;

    @Option(names = "--experts", defaultValue = "8", description = "Experts per block (default: ${DEFAULT-VALUE})")
    int experts;

    @Option(names = "--top-k", defaultValue = "2", description = "Experts each token is routed to (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--expert-hidden", defaultValue = "256", description = "Hidden width of an expert (default: ${DEFAULT-VALUE})")
    int expertHidden;

    @Option(names = "--dense", description = "Train the dense baseline of the same total size instead: one feed-forward of "
            + "experts x expert-hidden width (exported as a one-expert qwen3moe)")
    boolean dense;

    @Option(names = "--ctx", defaultValue = "256", description = "Tokens per training sequence, and the model's context (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--steps", defaultValue = "3000", description = "Optimizer steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--time", paramLabel = "DURATION", description = "Train for this long instead of --steps (e.g. 45m, 1h, 600s); "
            + "the learning-rate schedule then follows the clock")
    String time;

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--micro-batches", description = "Parts a batch is split into and run in parallel (default: the thread count)")
    Integer microBatches;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--min-lr-ratio", defaultValue = "0.1", description = "Final learning rate as a fraction of the peak (default: ${DEFAULT-VALUE})")
    float minLrRatio;

    @Option(names = "--warmup", defaultValue = "100", description = "Warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay of the matrices (default: ${DEFAULT-VALUE})")
    float weightDecay;

    @Option(names = "--clip", defaultValue = "1.0", description = "Clip the gradient's global norm to this; 0 = off (default: ${DEFAULT-VALUE})")
    float clip;

    @Option(names = "--balance-weight", defaultValue = "0.02", description = "Weight of the load-balancing loss; 0 = off (default: ${DEFAULT-VALUE})")
    float balanceWeight;

    @Option(names = "--z-loss-weight", defaultValue = "0.001", description = "Weight of the router z-loss; 0 = off (default: ${DEFAULT-VALUE})")
    float zLossWeight;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation and batch sampling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-t", "--threads"}, description = "Compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--eval-every", defaultValue = "100", description = "Held-out perplexity every N steps (default: ${DEFAULT-VALUE})")
    int evalEvery;

    @Option(names = "--eval-windows", defaultValue = "16", description = "Windows per corpus file in those evaluations; the final one uses all (default: ${DEFAULT-VALUE})")
    int evalWindows;

    @Option(names = "--held-out-every", defaultValue = "20", description = "Hold out every N-th block of each file (default: ${DEFAULT-VALUE})")
    int heldOutEvery;

    @Override
    public Integer call() {
        GGMLType exportType = SynthCommand.parseType(type);
        Path ckpt = checkpoint != null ? checkpoint : out.resolveSibling(out.getFileName() + ".ckpt");
        int nThreads = threads != null ? threads : WorkerPool.defaultThreads();
        long wallStart = System.nanoTime();
        try (WorkerPool pool = new WorkerPool(nThreads)) {
            Trainer trainer;
            BpeVocabulary bpe;
            TokenStreams data;
            if (resume) {
                Checkpoint.Contents c = Checkpoint.load(ckpt);
                var parsed = spec.commandLine().getParseResult();
                if (parsed.hasMatchedOption("--steps") || parsed.hasMatchedOption("--time")) { // a new length for the run
                    c = new Checkpoint.Contents(c.shape(), c.settings().withBudget(steps, time == null ? 0 : parseDuration(time)),
                            c.state(), c.vocab(), c.params(), c.m(), c.v());
                }
                bpe = c.vocab();
                data = TokenStreams.encode(TrainingCorpus.read(corpus, heldOutEvery), bpe);
                trainer = new Trainer(c, data, pool, System.out);
                System.err.printf(Locale.ROOT, "resuming %s at step %d (%s tokens, %s of training)%n", ckpt, c.state().step(),
                        Progress.human(c.state().tokens()), Progress.formatSeconds(c.state().seconds()));
            } else {
                shape(); // validates the shape before the tokenizer is trained
                TrainSettings settings = settings(nThreads);
                List<TrainingCorpus.Part> parts = TrainingCorpus.read(corpus, heldOutEvery);
                BpeTrainer bt = new BpeTrainer(vocab);
                try (Progress p = new Progress("tokenizer", bt.maxMerges(), "merges")) {
                    bpe = bt.train(parts.stream().map(TrainingCorpus.Part::train).toList(), p::set);
                }
                if (bpe.size() < vocab) {
                    System.err.printf(Locale.ROOT, "the corpus offers only %d tokens (no pair left to merge), fewer than --vocab %d%n",
                            bpe.size(), vocab);
                    vocab = bpe.size();
                }
                ModelShape shape = shape();
                data = TokenStreams.encode(parts, bpe);
                trainer = new Trainer(shape, settings, data, bpe, pool, System.out);
            }
            ModelShape s = trainer.model().shape();
            System.err.printf(Locale.ROOT, "corpus: %s training tokens, %s held out; model: %s parameters (%s active per token, "
                            + "%s per expert), %d blocks, %d experts top-%d, vocabulary %d, %d threads%n",
                    Progress.human(data.trainTokens()), Progress.human(data.heldOutTokens()), Progress.human(s.totalParams()),
                    Progress.human(s.activeParams()), Progress.human(s.expertParams()), s.layers(), s.experts(), s.topK(),
                    s.vocab(), nThreads);
            boolean finished = runInterruptibly(trainer, ckpt);
            if (!finished) return 130;
            Evaluation ev = trainer.evaluate(0);
            String desc = String.format(Locale.ROOT, "trained by moe4j train: %d steps, %s tokens, %s of training; %s",
                    trainer.state().step(), Progress.human(trainer.state().tokens()), Progress.formatSeconds(trainer.state().seconds()),
                    ev.summary());
            GgufExport.write(out, s, trainer.parameters(), bpe, exportType, desc);
            double wall = (System.nanoTime() - wallStart) / 1e9;
            System.out.printf(Locale.ROOT, "final: %d steps, %s tokens in %s of training (%.0f tokens/s), wall time %s, "
                            + "CPU time %s (%.2f cores busy on average) | %s | %s%n",
                    trainer.state().step(), Progress.human(trainer.state().tokens()), Progress.formatSeconds(trainer.state().seconds()),
                    trainer.state().tokens() / trainer.state().seconds(), Progress.formatSeconds(wall),
                    Progress.formatSeconds(processCpuSeconds()), processCpuSeconds() / wall, ev.summary(), loadSummary(ev.totalLoad()));
            if (ev.names().size() > 1) System.out.println(specialisation(ev));
            double exported = ExportCheck.heldOutPerplexity(out, data, nThreads);
            System.out.printf(Locale.ROOT, "wrote %s (%s matrices): held-out ppl %.2f with moe4j's inference of the file "
                    + "(trainer, float weights: %.2f)%n", out, exportType, exported, ev.perplexity());
        }
        return 0;
    }

    /** Trains; on Ctrl-C (or SIGTERM) the shutdown waits until the checkpoint is written. */
    private static boolean runInterruptibly(Trainer trainer, Path ckpt) {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                done.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "moe4j-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            boolean finished = trainer.run(stop, ckpt);
            if (!finished) {
                System.err.printf(Locale.ROOT, "%nstopped at step %d; checkpoint written to %s (continue with --resume)%n",
                        trainer.state().step(), ckpt);
            }
            return finished;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM exits once it returns
            }
        }
    }

    /** CPU time of this process so far: with a busy machine, less than threads × wall time. */
    private static double processCpuSeconds() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    /** Per block and expert, the share of the expert's held-out load from the first corpus file. */
    private static String specialisation(Evaluation ev) {
        long[][] total = ev.totalLoad();
        long first = 0, all = 0;
        for (long c : ev.load()[0][0]) first += c;
        for (long c : total[0]) all += c;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "expert specialisation: share of each expert's held-out load from %s (%.2f of all held-out tokens):",
                ev.names().get(0), all == 0 ? 0 : (double) first / all));
        for (double[] block : ev.firstFileShare()) {
            sb.append(" [");
            for (int e = 0; e < block.length; e++) sb.append(String.format(Locale.ROOT, e == 0 ? "%.2f" : " %.2f", block[e]));
            sb.append(']');
        }
        return sb.toString();
    }

    private static String loadSummary(long[][] load) {
        StringBuilder sb = new StringBuilder("held-out expert load (share of mean) per block:");
        for (int l = 0; l < load.length; l++) {
            long sum = 0;
            for (long c : load[l]) sum += c;
            sb.append(" [");
            for (int e = 0; e < load[l].length; e++) {
                sb.append(String.format(Locale.ROOT, e == 0 ? "%.2f" : " %.2f", sum == 0 ? 0 : load[l][e] * load[l].length / (double) sum));
            }
            sb.append(']');
        }
        return sb.toString();
    }

    ModelShape shape() {
        int e = dense ? 1 : experts;
        int k = dense ? 1 : topK;
        int hidden = dense ? experts * expertHidden : expertHidden;
        return new ModelShape(vocab, dim, layers, heads, kvHeads, headDim, e, k, hidden, context, 10000f, 1e-6f);
    }

    TrainSettings settings(int nThreads) {
        double seconds = time == null ? 0 : parseDuration(time);
        int micro = microBatches != null ? microBatches : nThreads;
        if (batch % micro != 0) micro = 1;
        return new TrainSettings(seed, time == null ? steps : 0, seconds, batch, micro, lr, minLrRatio, warmup, weightDecay,
                0.9f, 0.95f, clip, dense ? 0f : balanceWeight, dense ? 0f : zLossWeight, evalEvery, evalWindows, checkpointEvery);
    }

    static double parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        double mult = 1;
        if (t.endsWith("h")) { mult = 3600; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("m")) { mult = 60; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("s")) { t = t.substring(0, t.length() - 1); }
        try {
            double v = Double.parseDouble(t) * mult;
            if (!(v > 0)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--time '" + s + "' is not a duration like 45m, 1h or 600s");
        }
    }
}
