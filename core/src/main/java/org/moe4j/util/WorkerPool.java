package org.moe4j.util;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool of compute threads for data-parallel loops. The calling thread takes part, workers
 * spin briefly and then park between jobs, and a job is a reusable {@link RangeTask}, so the hot path
 * creates neither threads nor task objects. Work is handed out in chunks from an atomic counter, which
 * balances uneven rows (attention over different lengths, experts with different token counts).
 *
 * <p>One job runs at a time; a job started from inside a running job runs on the calling thread.
 */
public final class WorkerPool implements AutoCloseable {
    /** Worker threads are named this plus a number (tools that account per thread look for it). */
    public static final String THREAD_NAME_PREFIX = "moe4j-worker-";


    /** The body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private RangeTask task;
    private int n;
    private int chunk;
    private int chunks;
    private final ThreadLocal<Boolean> inJob = ThreadLocal.withInitial(() -> false);

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, is " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, THREAD_NAME_PREFIX + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** The default number of compute threads: the available processors. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over {@code [0, n)} split into chunks of about {@code n / (4 * threads)}. */
    public void parallelFor(int n, RangeTask task) {
        parallelFor(n, Math.max(1, n / (threads * 4)), task);
    }

    /** Runs {@code task} over {@code [0, n)} in chunks of at most {@code grain} indices. */
    public synchronized void parallelFor(int n, int grain, RangeTask task) {
        if (n <= 0) {
            return;
        }
        if (threads == 1 || n <= grain || inJob.get()) {
            task.run(0, n);
            return;
        }
        this.task = task;
        this.n = n;
        this.chunk = Math.max(1, grain);
        this.chunks = (n + chunk - 1) / chunk;
        nextChunk.set(0);
        finished.set(0);
        caller = Thread.currentThread();
        generation++; // publishes the fields above to the workers
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        inJob.set(true);
        Throwable failure = null;
        try {
            work();
        } catch (Throwable t) {
            failure = t;
        } finally {
            inJob.set(false);
        }
        long start = System.nanoTime();
        while (finished.get() < workers.length) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        this.task = null;
        Throwable workerFailure = this.failure;
        this.failure = null;
        if (failure == null) failure = workerFailure;
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new RuntimeException(failure);
    }

    private volatile Throwable failure;

    private void work() {
        int c;
        while ((c = nextChunk.getAndIncrement()) < chunks) {
            int from = c * chunk;
            task.run(from, Math.min(n, from + chunk));
        }
    }

    private void workerLoop() {
        long seen = 0;
        inJob.set(true);
        while (!closed) {
            long start = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                work();
            } catch (Throwable t) {
                failure = t;
                nextChunk.set(Integer.MAX_VALUE / 2); // stop handing out work
            }
            finished.incrementAndGet();
            Thread c = caller;
            if (c != null) LockSupport.unpark(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
