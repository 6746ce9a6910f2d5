package org.moe4j.moe.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moe4j.util.Progress;

/**
 * Counters of an expert cache, per block: what the layers asked for and found, what was read and how
 * long it took, how long the forward pass waited, how well the prefetcher predicted. Mutated only under
 * the cache's lock; read through {@link ExpertCache#stats()}, which takes an immutable {@link Snapshot}.
 */
public final class ExpertCacheStats {
    private final ExpertKeys keys;
    final long[] accesses, hits, inFlight, misses;
    final long[] loads, bytesRead, loadNanos, maxLoadNanos, evictions;
    final long[] stallNanos;
    final long[] prefetchIssued, prefetchUsed, prefetchWasted, predicted, predictedCorrect, predictionNeeded;
    final long[] lowBitRuns, skipped;
    final long[] keyAccesses;
    private long resetAt = System.nanoTime();

    ExpertCacheStats(ExpertKeys keys) {
        this.keys = keys;
        int b = keys.blocks();
        accesses = new long[b];
        hits = new long[b];
        inFlight = new long[b];
        misses = new long[b];
        loads = new long[b];
        bytesRead = new long[b];
        loadNanos = new long[b];
        maxLoadNanos = new long[b];
        evictions = new long[b];
        stallNanos = new long[b];
        prefetchIssued = new long[b];
        prefetchUsed = new long[b];
        prefetchWasted = new long[b];
        predicted = new long[b];
        predictedCorrect = new long[b];
        predictionNeeded = new long[b];
        lowBitRuns = new long[b];
        skipped = new long[b];
        keyAccesses = new long[keys.size()];
    }

    void reset() {
        for (long[] a : new long[][]{accesses, hits, inFlight, misses, loads, bytesRead, loadNanos, maxLoadNanos, evictions, stallNanos,
                prefetchIssued, prefetchUsed, prefetchWasted, predicted, predictedCorrect, predictionNeeded, lowBitRuns, skipped, keyAccesses}) {
            Arrays.fill(a, 0);
        }
        resetAt = System.nanoTime();
    }

    /** The figures of one block. */
    public record Layer(int layer, long accesses, long hits, long inFlight, long misses, long loads, long bytesRead,
                        double meanLoadSeconds, double maxLoadSeconds, long evictions, double stallSeconds,
                        long prefetchIssued, long prefetchUsed, long prefetchWasted, long predicted, long predictedCorrect,
                        long predictionNeeded, long lowBitRuns, long skipped) {
        public double hitRate() {
            return accesses == 0 ? Double.NaN : (double) hits / accesses;
        }

        /** Share of the experts the layer needed that the prefetcher had predicted. */
        public double prefetchAccuracy() {
            return predictionNeeded == 0 ? Double.NaN : (double) predictedCorrect / predictionNeeded;
        }

        /** Share of the predicted experts that the layer needed. */
        public double prefetchPrecision() {
            return predicted == 0 ? Double.NaN : (double) predictedCorrect / predicted;
        }
    }

    /**
     * A consistent copy of every counter, with the cache's settings. {@link #toMap} gives the JSON form
     * (snake_case keys; {@code hit_rate}, {@code bytes_read}, {@code stall_seconds} among them).
     */
    public record Snapshot(long budgetBytes, long slotBytes, int capacity, int resident, long lowBitBytes, String policy,
                           String io, boolean prefetch, String mixedPrecision, double skipBelow, double seconds,
                           List<Layer> layers) {
        private long sum(java.util.function.ToLongFunction<Layer> f) {
            long s = 0;
            for (Layer l : layers) s += f.applyAsLong(l);
            return s;
        }

        public long accesses() { return sum(Layer::accesses); }
        public long hits() { return sum(Layer::hits); }
        public long inFlight() { return sum(Layer::inFlight); }
        public long misses() { return sum(Layer::misses); }
        public long loads() { return sum(Layer::loads); }
        public long bytesRead() { return sum(Layer::bytesRead); }
        public long lowBitRuns() { return sum(Layer::lowBitRuns); }
        public long skipped() { return sum(Layer::skipped); }
        public long prefetchIssued() { return sum(Layer::prefetchIssued); }
        public long prefetchUsed() { return sum(Layer::prefetchUsed); }
        public long prefetchWasted() { return sum(Layer::prefetchWasted); }

        /** Share of expert accesses that found the expert resident. */
        public double hitRate() {
            long a = accesses();
            return a == 0 ? Double.NaN : (double) hits() / a;
        }

        public double stallSeconds() {
            double s = 0;
            for (Layer l : layers) s += l.stallSeconds;
            return s;
        }

        public double meanLoadSeconds() {
            long n = loads();
            double s = 0;
            for (Layer l : layers) s += l.meanLoadSeconds * l.loads;
            return n == 0 ? Double.NaN : s / n;
        }

        public double maxLoadSeconds() {
            double m = 0;
            for (Layer l : layers) m = Math.max(m, l.maxLoadSeconds);
            return m;
        }

        public double prefetchAccuracy() {
            long need = sum(Layer::predictionNeeded);
            return need == 0 ? Double.NaN : (double) sum(Layer::predictedCorrect) / need;
        }

        public double prefetchPrecision() {
            long p = sum(Layer::predicted);
            return p == 0 ? Double.NaN : (double) sum(Layer::predictedCorrect) / p;
        }

        /** Share of expert runs that used the low-bit copy. */
        public double lowBitRate() {
            long a = accesses();
            return a == 0 ? Double.NaN : (double) lowBitRuns() / a;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("policy", policy);
            o.put("budget_bytes", budgetBytes);
            o.put("slot_bytes", slotBytes);
            o.put("capacity_experts", capacity);
            o.put("resident_experts", resident);
            o.put("low_bit_bytes", lowBitBytes);
            o.put("io", io);
            o.put("prefetch", prefetch);
            o.put("mixed_precision", mixedPrecision);
            o.put("skip_below", skipBelow);
            o.put("seconds", seconds);
            o.put("accesses", accesses());
            o.put("hits", hits());
            o.put("hit_rate", json(hitRate()));
            o.put("in_flight", inFlight());
            o.put("misses", misses());
            o.put("loads", loads());
            o.put("bytes_read", bytesRead());
            o.put("mean_load_seconds", json(meanLoadSeconds()));
            o.put("max_load_seconds", maxLoadSeconds());
            o.put("stall_seconds", stallSeconds());
            o.put("prefetch_issued", prefetchIssued());
            o.put("prefetch_used", prefetchUsed());
            o.put("prefetch_wasted", prefetchWasted());
            o.put("prefetch_accuracy", json(prefetchAccuracy()));
            o.put("prefetch_precision", json(prefetchPrecision()));
            o.put("low_bit_runs", lowBitRuns());
            o.put("low_bit_rate", json(lowBitRate()));
            o.put("skipped", skipped());
            List<Map<String, Object>> ls = new ArrayList<>();
            for (Layer l : layers) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("layer", l.layer);
                m.put("accesses", l.accesses);
                m.put("hits", l.hits);
                m.put("hit_rate", json(l.hitRate()));
                m.put("in_flight", l.inFlight);
                m.put("misses", l.misses);
                m.put("loads", l.loads);
                m.put("bytes_read", l.bytesRead);
                m.put("mean_load_seconds", json(l.meanLoadSeconds));
                m.put("max_load_seconds", l.maxLoadSeconds);
                m.put("evictions", l.evictions);
                m.put("stall_seconds", l.stallSeconds);
                m.put("prefetch_issued", l.prefetchIssued);
                m.put("prefetch_used", l.prefetchUsed);
                m.put("prefetch_wasted", l.prefetchWasted);
                m.put("prefetch_accuracy", json(l.prefetchAccuracy()));
                m.put("prefetch_precision", json(l.prefetchPrecision()));
                m.put("low_bit_runs", l.lowBitRuns);
                m.put("skipped", l.skipped);
                ls.add(m);
            }
            o.put("layers", ls);
            return o;
        }

        private static Object json(double v) {
            return Double.isFinite(v) ? v : null;
        }

        /** The table {@code --stats} prints. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "expert cache: %s, %d slots of %s (%s budget%s), %s, prefetch %s%s%s%n",
                    policy, capacity, Progress.bytes(slotBytes), Progress.bytes(budgetBytes),
                    lowBitBytes > 0 ? ", " + Progress.bytes(lowBitBytes) + " of it low-bit copies" : "", io, prefetch ? "on" : "off",
                    mixedPrecision != null ? ", mixed precision " + mixedPrecision : "",
                    skipBelow > 0 ? ", skipping missed experts below weight " + skipBelow : ""));
            b.append(String.format(Locale.ROOT, "%5s %9s %7s %7s %10s %7s %9s %9s %8s %8s %8s %8s%n", "layer", "accesses", "hit %",
                    "flight%", "read MiB", "loads", "load ms", "stall s", "pred %", "prec %", "low-bit", "skipped"));
            for (Layer l : layers) {
                b.append(String.format(Locale.ROOT, "%5d %9d %7s %7s %10.1f %7d %9s %9.3f %8s %8s %8d %8d%n", l.layer, l.accesses,
                        pct(l.hitRate()), pct(l.accesses == 0 ? Double.NaN : (double) l.inFlight / l.accesses), l.bytesRead / 1048576.0,
                        l.loads, ms(l.meanLoadSeconds), l.stallSeconds, pct(l.prefetchAccuracy()), pct(l.prefetchPrecision()),
                        l.lowBitRuns, l.skipped));
            }
            b.append(String.format(Locale.ROOT, "%5s %9d %7s %7s %10.1f %7d %9s %9.3f %8s %8s %8d %8d%n", "all", accesses(), pct(hitRate()),
                    pct(accesses() == 0 ? Double.NaN : (double) inFlight() / accesses()), bytesRead() / 1048576.0, loads(),
                    ms(meanLoadSeconds()), stallSeconds(), pct(prefetchAccuracy()), pct(prefetchPrecision()), lowBitRuns(), skipped()));
            b.append(String.format(Locale.ROOT, "hit rate %s | read %s in %d loads (mean %s ms, max %.1f ms) | stall %.3f s of %.3f s | "
                            + "prefetch: %d issued, %d used, %d wasted, accuracy %s%%%s",
                    pct(hitRate()) + "%", Progress.bytes(bytesRead()), loads(), ms(meanLoadSeconds()), maxLoadSeconds() * 1e3, stallSeconds(), seconds,
                    prefetchIssued(), prefetchUsed(), prefetchWasted(), pct(prefetchAccuracy()),
                    mixedPrecision != null ? String.format(Locale.ROOT, " | low-bit runs %d (%s%% of expert runs)", lowBitRuns(), pct(lowBitRate())) : ""));
            return b.toString();
        }

        private static String pct(double v) {
            return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v * 100) : "-";
        }

        private static String ms(double s) {
            return Double.isFinite(s) ? String.format(Locale.ROOT, "%.2f", s * 1e3) : "-";
        }
    }

    Snapshot snapshot(long budgetBytes, long slotBytes, int capacity, int resident, long lowBitBytes, String policy, String io,
                      boolean prefetch, String mixedPrecision, double skipBelow) {
        List<Layer> ls = new ArrayList<>();
        for (int b : keys.moeBlocks()) {
            ls.add(new Layer(b, accesses[b], hits[b], inFlight[b], misses[b], loads[b], bytesRead[b],
                    loads[b] == 0 ? Double.NaN : loadNanos[b] / 1e9 / loads[b], maxLoadNanos[b] / 1e9, evictions[b], stallNanos[b] / 1e9,
                    prefetchIssued[b], prefetchUsed[b], prefetchWasted[b], predicted[b], predictedCorrect[b], predictionNeeded[b],
                    lowBitRuns[b], skipped[b]));
        }
        return new Snapshot(budgetBytes, slotBytes, capacity, resident, lowBitBytes, policy, io, prefetch, mixedPrecision, skipBelow,
                (System.nanoTime() - resetAt) / 1e9, List.copyOf(ls));
    }
}
