package org.moe4j.tools.bench;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.moe4j.model.Batch;
import org.moe4j.model.JitWarmUp;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelInfo;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.tensor.VectorOps;
import org.moe4j.util.WorkerPool;

/**
 * Measures prompt processing (one batch of {@code pp} tokens from an empty cache) and generation
 * ({@code tg} tokens one forward pass each from an empty cache), each repeated, after reading the whole
 * model file into memory (unless an expert cache serves the experts) and a warm-up that lets the JIT
 * compile the kernels. Token ids are random; with random ids routing is realistic for random-weight
 * models and the work is the same as for text.
 */
public final class Bench {
    public record Settings(Path model, int pp, int tg, int repetitions, int threads, int batchSize, long seed,
                           LoadOptions load) {
    }

    public interface Listener {
        void phase(String what);

        /** The warm-up is over; the timed runs follow. */
        default void warmedUp() {
        }

        /** The figures, while the model and what was set up on it are still open. */
        default void finished(Model model, BenchResult result) {
        }
    }

    public static BenchResult run(Settings s, double bandwidthBytesPerSecond, Listener listener) {
        return run(s, bandwidthBytesPerSecond, listener, m -> null);
    }

    /**
     * @param setup installs what the run measures with on the loaded model (routing policies, a trace, an
     *              expert cache) for the whole run, warm-up included; closed before the model (null for nothing)
     */
    public static BenchResult run(Settings s, double bandwidthBytesPerSecond, Listener listener,
                                  Function<Model, ? extends AutoCloseable> setup) {
        try (Model m = ModelLoader.load(s.model(), s.load()); AutoCloseable installed = setup.apply(m)) {
            return measure(m, s, bandwidthBytesPerSecond, listener);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BenchResult measure(Model m, Settings s, double bandwidthBytesPerSecond, Listener listener) {
        ModelInfo info = ModelInfo.of(m.file());
        int vocab = m.vocabSize();
        SplittableRandom rnd = new SplittableRandom(s.seed());
        int ctx = Math.max(16, s.pp() + s.tg() + 8);
        KVCache cache = m.newCache(1, ctx);
        float[] logits = new float[vocab];

        if (ExpertCache.attachedTo(m).isEmpty()) {
            // every expert's pages read in first: otherwise the timed runs also time the disk, whenever a
            // token is routed to an expert no earlier token used (the file is memory-mapped). Not with the
            // expert cache, which reads experts itself and keeps them out of the page cache.
            listener.phase("reading the weights into memory");
            for (var t : m.file().tensors()) m.file().faultIn(t);
        }
        listener.phase("warm-up");
        int warm = Math.min(64, Math.max(8, s.pp()));
        for (int i = 0; i < 2; i++) {
            prompt(m, cache, randomIds(rnd, warm, vocab), s.batchSize(), logits);
            generate(m, cache, Math.min(16, Math.max(4, s.tg())), rnd, vocab, logits);
        }
        JitWarmUp.run(m, 2.0);
        listener.warmedUp();

        double[] pp = new double[s.pp() > 0 ? s.repetitions() : 0];
        long ppAllocated = 0;
        for (int r = 0; r < pp.length; r++) {
            listener.phase("pp" + s.pp() + " run " + (r + 1) + "/" + pp.length);
            int[] ids = randomIds(rnd, s.pp(), vocab);
            long a0 = allocatedBytes();
            long t0 = System.nanoTime();
            prompt(m, cache, ids, s.batchSize(), logits);
            pp[r] = s.pp() / ((System.nanoTime() - t0) / 1e9);
            if (r > 0 || pp.length == 1) ppAllocated += allocatedBytes() - a0;
        }
        // the first run grows the workspaces from the warm-up's prompt length to this one: left out when others follow
        int ppCounted = Math.max(1, pp.length - 1);
        double ppAllocPerToken = pp.length == 0 || allocatedBytes() < 0 ? -1 : (double) ppAllocated / (ppCounted * (long) s.pp());
        double[] tg = new double[s.tg() > 0 ? s.repetitions() : 0];
        long allocated = 0;
        for (int r = 0; r < tg.length; r++) {
            listener.phase("tg" + s.tg() + " run " + (r + 1) + "/" + tg.length);
            long a0 = allocatedBytes();
            long t0 = System.nanoTime();
            generate(m, cache, s.tg(), rnd, vocab, logits);
            tg[r] = s.tg() / ((System.nanoTime() - t0) / 1e9);
            allocated += allocatedBytes() - a0;
        }
        double allocPerToken = tg.length == 0 || allocatedBytes() < 0 ? -1 : (double) allocated / (tg.length * (long) s.tg());
        double roofline = bandwidthBytesPerSecond / info.activeBytesPerToken();
        double tgMean = mean(tg);
        BenchResult result = new BenchResult(s.model().getFileName().toString(), m.config().architecture, info.totalBytes(),
                info.totalParams(), info.activeParams(), info.activeBytesPerToken(), s.load().threads(),
                s.pp(), s.tg(), s.repetitions(), mean(pp), std(pp), tgMean, std(tg),
                bandwidthBytesPerSecond / 1e9, roofline, roofline > 0 ? tgMean / roofline : 0, allocPerToken,
                ppAllocPerToken, m.numericMode().name(), cpuName(), Runtime.version().toString());
        listener.finished(m, result);
        return result;
    }

    /**
     * Heap bytes allocated so far by the threads of the forward pass (this one and the compute workers),
     * or -1 where the JVM does not count them. Other threads (the JIT's, a profiler's) are left out.
     */
    private static long allocatedBytes() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                || !mx.isThreadAllocatedMemorySupported() || !mx.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith(WorkerPool.THREAD_NAME_PREFIX))
                .mapToLong(Thread::threadId).toArray();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(ids)) sum += Math.max(0, b);
        return sum;
    }

    private static int[] randomIds(SplittableRandom rnd, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(vocab);
        return ids;
    }

    private static void prompt(Model m, KVCache cache, int[] ids, int batchSize, float[] logits) {
        cache.clear(0);
        Batch b = new Batch(Math.min(batchSize, ids.length));
        for (int start = 0; start < ids.length; start += batchSize) {
            b.clear();
            int end = Math.min(ids.length, start + batchSize);
            for (int i = start; i < end; i++) b.add(ids[i], i, 0, i == ids.length - 1);
            m.forward(b, cache, logits);
        }
    }

    private static void generate(Model m, KVCache cache, int n, SplittableRandom rnd, int vocab, float[] logits) {
        cache.clear(0);
        Batch b = new Batch(1);
        int tok = rnd.nextInt(vocab);
        for (int i = 0; i < n; i++) {
            b.clear();
            b.add(tok, i, 0, true);
            m.forward(b, cache, logits);
            tok = VectorOps.argmax(logits, 0, vocab);
        }
    }

    static double mean(double[] x) {
        if (x.length == 0) return 0;
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    static double std(double[] x) {
        if (x.length < 2) return 0;
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return Math.sqrt(s / (x.length - 1));
    }

    static String cpuName() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
