package org.moe4j.tools.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.moe4j.util.WorkerPool;

/**
 * Measures this machine's memory read bandwidth the way decoding uses it: several threads streaming
 * through a buffer much larger than the last-level cache with wide vector loads. The best of a few
 * passes is reported (the machine's capability, not its noise).
 */
public final class BandwidthProbe {
    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;

    private BandwidthProbe() {
    }

    /** Read bandwidth in bytes per second with {@code threads} threads over a {@code bytes}-sized buffer. */
    public static double measure(int threads, long bytes, int passes) {
        long chunk = 1L << 20;
        long size = Math.max(chunk, bytes / chunk * chunk);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(threads)) {
            MemorySegment buf = arena.allocate(size, 64);
            buf.fill((byte) 1); // touch every page so the kernel maps it before timing
            int chunks = (int) (size / chunk);
            long[] sink = new long[threads * 16];
            double best = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                pool.parallelFor(chunks, 16, (from, to) -> {
                    LongVector acc = LongVector.zero(S);
                    for (int c = from; c < to; c++) {
                        long base = c * chunk;
                        for (long off = 0; off < chunk; off += S.vectorByteSize()) {
                            acc = acc.add(LongVector.fromMemorySegment(S, buf, base + off, ByteOrder.LITTLE_ENDIAN));
                        }
                    }
                    sink[(int) (Thread.currentThread().threadId() % sink.length)] += acc.reduceLanes(VectorOperators.ADD);
                });
                double secs = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, size / secs);
            }
            if (sink[0] == 42) System.out.print(""); // keep the sums alive
            return best;
        }
    }
}
