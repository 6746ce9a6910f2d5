package org.moe4j.cli.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.moe4j.model.Model;
import org.moe4j.moe.cache.Budget;
import org.moe4j.moe.cache.CachePolicies;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.moe.cache.ExpertCacheConfig;
import org.moe4j.moe.cache.ExpertProfile;
import org.moe4j.moe.cache.ExpertReader;
import org.moe4j.moe.cache.MemoryUsage;
import org.moe4j.tensor.GGMLType;
import picocli.CommandLine.Option;

/**
 * The expert cache flags (see org.moe4j.moe.cache.ExpertCache): {@code --expert-cache SIZE} turns it on;
 * {@code --stats} and {@code --stats-json} report on a run with or without it.
 */
public final class ExpertCacheOptions {
    @Option(names = "--expert-cache", paramLabel = "SIZE",
            description = "Keep routed experts in a RAM cache of this size (e.g. 6GiB, 512MiB, or 50% of physical memory) and read "
                    + "them from the file on demand, bypassing the page cache; dense weights stay memory-mapped. "
                    + "Default: map the whole file and let the page cache decide")
    String budget;

    @Option(names = "--cache-policy", paramLabel = "SPEC",
            description = "Eviction policy: lru, lfu, lfru[:half-life=TOKENS], next-use[:half-life=TOKENS], quota[:inner=SPEC], pinned[:fraction=F][:inner=SPEC] "
                    + "(default: " + CachePolicies.DEFAULT + " with a half-life of " + CachePolicies.DEFAULT_NEXT_USE_HALF_LIFE_TOKENS + " tokens)")
    String policy;

    @Option(names = "--cache-profile", paramLabel = "FILE", description = "Expert profile of an earlier run (from --save-profile) for --cache-policy pinned")
    Path profile;

    @Option(names = "--save-profile", paramLabel = "FILE", description = "After the run, write how often each expert was used (for --cache-profile)")
    Path saveProfile;

    @Option(names = "--no-prefetch", description = "Do not predict and load the next layer's experts ahead (cross-layer gate prediction)")
    boolean noPrefetch;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "" + ExpertCacheConfig.DEFAULT_IO_THREADS,
            description = "Parallel expert reads (default: ${DEFAULT-VALUE})")
    int ioThreads;

    @Option(names = "--cache-io", paramLabel = "MODE", defaultValue = "auto",
            description = "How expert reads avoid the page cache: direct (O_DIRECT), advised (read, then posix_fadvise DONTNEED) "
                    + "or auto (direct where the file system allows it; default)")
    String io;

    @Option(names = "--mixed-precision", paramLabel = "TYPE",
            description = "Keep a low-bit copy (e.g. Q4_0, Q2_K) of every expert in the budget and run it when the full expert "
                    + "is not resident instead of waiting (changes the output)")
    String mixedPrecision;

    @Option(names = "--skip-below", paramLabel = "T",
            description = "Drop a selected expert that is not resident when its normalised routing weight is below T, and "
                    + "renormalise (changes the output; traces show it)")
    Float skipBelow;

    @Option(names = "--stats", description = "After the run, print expert cache statistics per layer and the memory used")
    boolean stats;

    @Option(names = "--stats-json", paramLabel = "FILE",
            description = "After the run, write the statistics as JSON (hit_rate, bytes_read, stall_seconds, tokens_per_s, per layer...)")
    Path statsJson;

    /** Whether the user asked for a cache. */
    public boolean enabled() {
        return budget != null;
    }

    public ExpertCacheConfig config() {
        if (budget == null) throw new IllegalStateException("no --expert-cache");
        if (ioThreads < 1 || ioThreads > 256) throw new IllegalArgumentException("--io-threads must be in 1..256");
        ExpertReader.Io mode = switch (io.toLowerCase(Locale.ROOT)) {
            case "auto" -> ExpertReader.Io.AUTO;
            case "direct" -> ExpertReader.Io.DIRECT;
            case "advised" -> ExpertReader.Io.ADVISED;
            default -> throw new IllegalArgumentException("--cache-io must be auto, direct or advised, not '" + io + "'");
        };
        GGMLType low = null;
        if (mixedPrecision != null) {
            try {
                low = GGMLType.valueOf(mixedPrecision.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--mixed-precision: unknown tensor type '" + mixedPrecision + "' (e.g. Q4_0, Q2_K)");
            }
        }
        return new ExpertCacheConfig(Budget.parse(budget), policy, profile == null ? null : ExpertProfile.read(profile), !noPrefetch,
                ioThreads, mode, low, skipBelow == null ? 0f : skipBelow);
    }

    /**
     * Opens the cache on a model when {@code --expert-cache} was given (null otherwise). Install it after
     * the routing session, so that skipping sees the routing after every policy.
     */
    public ExpertCache open(Model model) {
        if (budget == null) {
            String needsCache = policy != null ? "--cache-policy" : profile != null ? "--cache-profile" : saveProfile != null ? "--save-profile"
                    : mixedPrecision != null ? "--mixed-precision" : skipBelow != null ? "--skip-below" : noPrefetch ? "--no-prefetch" : null;
            if (needsCache != null) throw new IllegalArgumentException(needsCache + " needs --expert-cache SIZE");
            return null;
        }
        ExpertCache c = ExpertCache.open(model, config());
        System.err.printf(Locale.ROOT, "expert cache: %d of %d experts fit in %s (%s each), %s, policy %s%s%n", c.capacity(),
                c.layout().keys().size(), org.moe4j.util.Progress.bytes(c.config().budgetBytes()),
                org.moe4j.util.Progress.bytes(c.layout().slotBytes()), c.ioDescription(), c.policyName(),
                c.config().prefetch() ? ", prefetching" : "");
        return c;
    }

    /** Whether anything is to be reported after the run. */
    public boolean reporting() {
        return stats || statsJson != null || saveProfile != null;
    }

    /**
     * Prints ({@code --stats}) and writes ({@code --stats-json}, {@code --save-profile}) what the run did.
     *
     * @param cache          the cache of the run, or null for a run on the mapped file
     * @param tokensPerSecond the command's headline throughput (generation, or evaluation for perplexity)
     */
    public void report(ExpertCache cache, Model model, double tokensPerSecond, PrintStream err) {
        if (!reporting()) return;
        MemoryUsage mem = cache != null ? cache.memoryUsage() : MemoryUsage.measure(model.file().path(), null);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model.file().path() == null ? null : model.file().path().toString());
        o.put("tokens_per_s", tokensPerSecond);
        if (cache != null) {
            var s = cache.stats();
            if (stats) err.println(s.table());
            Map<String, Object> m = s.toMap();
            o.put("hit_rate", m.remove("hit_rate"));
            o.put("bytes_read", m.remove("bytes_read"));
            o.put("stall_seconds", m.remove("stall_seconds"));
            o.put("expert_cache", true);
            o.putAll(m);
        } else {
            if (stats) err.println("no expert cache: experts are read through the memory-mapped file (page cache)");
            o.put("hit_rate", null);
            o.put("bytes_read", null);
            o.put("stall_seconds", null);
            o.put("expert_cache", false);
        }
        o.put("memory", mem.toMap());
        if (stats) err.println(mem.summary());
        if (statsJson != null) {
            try {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(statsJson.toFile(), o);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + statsJson + ": " + e.getMessage(), e);
            }
        }
        if (saveProfile != null && cache != null) {
            cache.profile().write(saveProfile);
            err.println("expert profile written to " + saveProfile);
        }
    }
}
