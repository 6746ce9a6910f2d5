package org.moe4j.tools.bench;

/**
 * The figures of one {@code moe4j bench} run. Field names are the JSON keys that outside checks read.
 * {@code tg_alloc_bytes_per_token}: Java heap bytes allocated by the forward pass's threads per generated token during
 * the timed generation runs (steady state: the JIT has compiled the kernels in the warm-up), or -1 where
 * the JVM cannot count them.
 */
public record BenchResult(
        String model,
        String architecture,
        long model_bytes,
        long params_total,
        long params_active,
        long active_bytes_per_token,
        int threads,
        int pp_tokens,
        int tg_tokens,
        int repetitions,
        double pp_tokens_per_s,
        double pp_std,
        double tg_tokens_per_s,
        double tg_std,
        double bandwidth_gb_s,
        double roofline_tokens_per_s,
        double tg_roofline_fraction,
        double tg_alloc_bytes_per_token,
        String numeric_mode,
        String cpu,
        String java) {
}
