package org.moe4j.server;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.moe4j.generate.BatchEngine;
import org.moe4j.moe.cache.ExpertCacheStats;

/**
 * The server's counters and the engine's, in Prometheus' text exposition format. Rates (tokens per second)
 * are measured over a sliding window of {@link #WINDOW_SECONDS} seconds sampled once a second.
 */
final class ServerMetrics {
    static final int WINDOW_SECONDS = 10;

    private final BatchEngine engine;
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder disconnected = new LongAdder();
    private volatile DoubleSupplier expertCacheHitRate;
    private volatile Supplier<ExpertCacheStats.Snapshot> expertCache;

    private final long[] sampleNanos = new long[WINDOW_SECONDS + 1];
    private final long[] sampleTokens = new long[WINDOW_SECONDS + 1];
    private int samples;
    private int next;

    ServerMetrics(BatchEngine engine) {
        this.engine = engine;
    }

    /** Supplies the expert cache's hit rate (0..1, NaN while unknown); null removes the gauge. */
    void expertCacheHitRate(DoubleSupplier s) {
        this.expertCacheHitRate = s;
    }

    /** Supplies the expert cache's statistics (hit ratio, reads, stalls); null removes them. */
    void expertCache(Supplier<ExpertCacheStats.Snapshot> s) {
        this.expertCache = s;
    }

    void request(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    void rejected() {
        rejected.increment();
    }

    void disconnected() {
        disconnected.increment();
    }

    /** Records the generated-token counter for the rate window (called once a second). */
    synchronized void tick() {
        sampleNanos[next] = System.nanoTime();
        sampleTokens[next] = engine.stats().generatedTokens();
        next = (next + 1) % sampleNanos.length;
        samples = Math.min(samples + 1, sampleNanos.length);
    }

    /** Generated tokens per second over the window (0 before two samples). */
    synchronized double tokensPerSecond() {
        if (samples < 2) return 0;
        int newest = (next - 1 + sampleNanos.length) % sampleNanos.length;
        int oldest = samples < sampleNanos.length ? 0 : next;
        long dt = sampleNanos[newest] - sampleNanos[oldest];
        return dt <= 0 ? 0 : (sampleTokens[newest] - sampleTokens[oldest]) * 1e9 / dt;
    }

    String render() {
        BatchEngine.Stats s = engine.stats();
        StringBuilder b = new StringBuilder(4096);
        b.append("# HELP moe4j_requests_total HTTP requests by endpoint and status.\n# TYPE moe4j_requests_total counter\n");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach((k, v) -> {
            String[] p = k.split("\u0000");
            b.append("moe4j_requests_total{endpoint=\"").append(p[0]).append("\",status=\"").append(p[1]).append("\"} ").append(v).append('\n');
        });
        counter(b, "moe4j_requests_rejected_total", "Requests refused with 429 because the queue was full.", rejected.sum());
        counter(b, "moe4j_client_disconnects_total", "Streams whose client went away before the end (their sequence was cancelled).", disconnected.sum());
        counter(b, "moe4j_prompt_tokens_total", "Prompt tokens evaluated.", s.promptTokens());
        counter(b, "moe4j_generated_tokens_total", "Tokens generated.", s.generatedTokens());
        counter(b, "moe4j_sequences_finished_total", "Sequences that ended normally.", s.finished());
        counter(b, "moe4j_sequences_cancelled_total", "Sequences cancelled (client gone, shutdown).", s.cancelled());
        counter(b, "moe4j_sequences_failed_total", "Sequences that failed.", s.failed());
        gauge(b, "moe4j_queue_depth", "Requests waiting for a sequence slot.", s.waiting());
        gauge(b, "moe4j_active_sequences", "Sequences in the running batch.", s.active());
        gauge(b, "moe4j_slots", "Sequence slots (the most sequences batched together).", engine.settings().slots());
        counter(b, "moe4j_steps_total", "Forward passes (batching steps).", s.steps());
        counter(b, "moe4j_step_seconds_total", "Time spent in forward passes.", s.stepNanos() / 1e9);
        counter(b, "moe4j_batch_tokens_total", "Tokens evaluated over all steps (prompt chunks and decode tokens).", s.tokensEvaluated());
        gauge(b, "moe4j_batch_tokens", "Tokens in the last step.", s.lastBatchTokens());
        gauge(b, "moe4j_batch_sequences", "Sequences in the last step.", s.lastBatchSequences());
        gauge(b, "moe4j_batch_tokens_average", "Average tokens per step.", s.steps() == 0 ? 0 : (double) s.tokensEvaluated() / s.steps());
        gauge(b, "moe4j_generation_tokens_per_second", "Generated tokens per second over the last " + WINDOW_SECONDS + " s.", tokensPerSecond());
        gauge(b, "moe4j_active_experts_per_token", "Average routed experts per token and MoE layer (after routing policies).",
                nanToZero(s.activeExpertsPerToken()));
        counter(b, "moe4j_expert_acquisitions_total", "Experts read by the MoE layers: once per expert, layer and step, however many tokens use it.",
                s.expertAcquisitions());
        counter(b, "moe4j_expert_bytes_read_total", "Expert weight bytes read by the MoE layers.", s.expertBytes());
        gauge(b, "moe4j_expert_bytes_per_token", "Expert weight bytes read per evaluated token (all steps).",
                s.tokensEvaluated() == 0 ? 0 : (double) s.expertBytes() / s.tokensEvaluated());
        gauge(b, "moe4j_expert_bytes_per_decode_token", "Expert weight bytes read per token in steps that only decode.",
                s.decodeOnlyTokens() == 0 ? 0 : (double) s.decodeOnlyExpertBytes() / s.decodeOnlyTokens());
        counter(b, "moe4j_decode_only_steps_total", "Steps that held decode tokens only.", s.decodeOnlySteps());
        counter(b, "moe4j_decode_only_tokens_total", "Tokens of steps that held decode tokens only.", s.decodeOnlyTokens());
        counter(b, "moe4j_decode_only_expert_bytes_total", "Expert weight bytes read in steps that held decode tokens only.", s.decodeOnlyExpertBytes());
        Supplier<ExpertCacheStats.Snapshot> cache = expertCache;
        if (cache != null) {
            renderExpertCache(b, cache.get());
        } else {
            DoubleSupplier hit = expertCacheHitRate;
            if (hit != null) hitRatio(b, hit.getAsDouble());
        }
        return b.toString();
    }

    private static void hitRatio(StringBuilder b, double v) {
        if (!Double.isNaN(v)) gauge(b, "moe4j_expert_cache_hit_ratio", "Expert cache hits over lookups.", v);
    }

    private static void renderExpertCache(StringBuilder b, ExpertCacheStats.Snapshot c) {
        hitRatio(b, c.hitRate());
        counter(b, "moe4j_expert_cache_lookups_total", "Experts the MoE layers asked the cache for (per layer and step).", c.accesses());
        counter(b, "moe4j_expert_cache_hits_total", "Lookups that found the expert resident.", c.hits());
        counter(b, "moe4j_expert_cache_loads_total", "Experts read from the model file (demand loads and prefetches).", c.loads());
        counter(b, "moe4j_expert_cache_read_bytes_total", "Bytes the cache read from the model file.", c.bytesRead());
        counter(b, "moe4j_expert_cache_stall_seconds_total", "Time forward passes waited for expert reads or cache slots.", c.stallSeconds());
        gauge(b, "moe4j_expert_cache_resident_experts", "Experts resident in the cache.", c.resident());
        gauge(b, "moe4j_expert_cache_capacity_experts", "Experts the cache's budget holds.", c.capacity());
        if (c.mixedPrecision() != null) {
            counter(b, "moe4j_expert_cache_low_bit_runs_total", "Experts run from their low-bit copy because the full one was not resident.",
                    c.lowBitRuns());
        }
        if (c.skipBelow() > 0) counter(b, "moe4j_expert_cache_skipped_total", "Missed low-weight experts dropped from the routing.", c.skipped());
        if (!Double.isNaN(c.prefetchAccuracy())) {
            gauge(b, "moe4j_expert_cache_prefetch_accuracy", "Share of the experts a layer needed that the gate prediction had named.",
                    c.prefetchAccuracy());
        }
    }

    private static double nanToZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static void counter(StringBuilder b, String name, String help, double v) {
        metric(b, name, help, "counter", v);
    }

    private static void gauge(StringBuilder b, String name, String help, double v) {
        metric(b, name, help, "gauge", v);
    }

    private static void metric(StringBuilder b, String name, String help, String type, double v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        b.append(name).append(' ');
        if (v == Math.rint(v) && Math.abs(v) < 1e15) b.append((long) v);
        else b.append(String.format(Locale.ROOT, "%.6g", v));
        b.append('\n');
    }
}
