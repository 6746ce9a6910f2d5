package org.moe4j.moe.cache;

import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The I/O threads of an expert cache: reads waiting for a thread are taken demand loads first (a layer
 * is waiting for them), then prefetches, each class in submission order. A queued read can be
 * withdrawn (a misprediction) or promoted (its layer now needs it).
 */
final class LoadQueue implements AutoCloseable {
    static final int DEMAND = 0;
    static final int PREFETCH = 1;

    final class Task implements Comparable<Task> {
        final int priority;
        final long seq;
        final Runnable work;

        private Task(int priority, Runnable work) {
            this.priority = priority;
            this.seq = counter.getAndIncrement();
            this.work = work;
        }

        @Override
        public int compareTo(Task o) {
            return priority != o.priority ? Integer.compare(priority, o.priority) : Long.compare(seq, o.seq);
        }
    }

    private final PriorityBlockingQueue<Task> queue = new PriorityBlockingQueue<>();
    private final AtomicLong counter = new AtomicLong();
    private final Thread[] threads;
    private volatile boolean closed;

    LoadQueue(int threads) {
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "moe4j-expert-io-" + i);
            t.setDaemon(true);
            this.threads[i] = t;
            t.start();
        }
    }

    Task submit(int priority, Runnable work) {
        Task t = new Task(priority, work);
        queue.add(t);
        return t;
    }

    /** Withdraws a queued task; false if a thread already took it. */
    boolean cancel(Task t) {
        return queue.remove(t);
    }

    /** The task as a demand load: re-queued ahead of prefetches if it was still waiting. */
    Task promote(Task t) {
        if (t.priority == DEMAND || !queue.remove(t)) return t;
        return submit(DEMAND, t.work);
    }

    private void work() {
        while (!closed) {
            Task t;
            try {
                t = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            t.work.run();
        }
    }

    /** Stops the threads after the reads in progress (they write into memory that is freed next). */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        for (Thread t : threads) t.interrupt();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
