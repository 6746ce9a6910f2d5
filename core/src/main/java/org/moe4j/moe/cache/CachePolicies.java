package org.moe4j.moe.cache;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds cache policies from specs: {@code NAME[:key=value...]}, where an {@code inner=} option takes the
 * rest of the spec (so it may carry options of its own).
 *
 * <pre>
 *   lru                                   least recently used
 *   lfu                                   least frequently used (counts kept across evictions)
 *   lfru[:half-life=T]                    frequency-weighted recency, scores halve every T tokens
 *   next-use[:half-life=T]               the expert expected to be needed last (layer order, decayed frequency)
 *   quota[:inner=SPEC]                    equal share of the slots per layer, SPEC inside a layer
 *   pinned[:fraction=F][:inner=SPEC]      the hottest experts of a saved profile pinned in F of the slots
 *   belady                                optimal offline policy (trace replay only)
 * </pre>
 */
public final class CachePolicies {
    /**
     * The default, chosen with cache-sim on generation traces (docs/expert-cache.md, "How the default was
     * chosen"): on six traces of the bundled default model (4 layers of 8 experts, top-2) next-use had the
     * best hit rate of the online policies at 1x to 4x the active experts, at or above LFRU and LFU on every
     * trace (at 2x: 79.6% of Belady's hit rate over the six, LFRU 78.9%, LFU 78.6%, LRU 69.0%). Its
     * half-life was tuned on three of the traces (flat from 64 tokens up) and checked on the other three.
     * Before it, LFRU with a half-life of 256 tokens was the best on the synthetic OLMoE-1B-7B.
     */
    public static final String DEFAULT = "next-use";
    public static final double DEFAULT_HALF_LIFE_TOKENS = 256;
    public static final double DEFAULT_NEXT_USE_HALF_LIFE_TOKENS = 256;
    public static final double DEFAULT_PIN_FRACTION = 0.5;
    /** The online policies in the order reports list them, then the offline bound. */
    public static final List<String> ONLINE = List.of("lru", "lfu", "lfru", "next-use", "quota", "pinned");

    private CachePolicies() {
    }

    /**
     * What a policy may need besides its spec.
     *
     * @param workingSet       the most experts needed at once (what pins must leave room for)
     * @param accessesPerToken expert accesses per token over all layers (converts half-lives in tokens)
     * @param profile          a saved profile for {@code pinned}, or null
     * @param future           the whole access sequence for {@code belady}, or null
     */
    public record Context(ExpertKeys keys, int capacity, int workingSet, double accessesPerToken, ExpertProfile profile,
                          AccessSequence future) {
        public Context {
            if (capacity < 1) throw new IllegalArgumentException("cache capacity must be >= 1 expert");
            if (workingSet < 1 || workingSet > capacity) {
                throw new ExpertCacheBudgetException("a cache of " + capacity + " experts cannot hold a working set of " + workingSet);
            }
            if (!(accessesPerToken > 0)) throw new IllegalArgumentException("accesses per token must be > 0");
        }
    }

    public static CachePolicy create(String spec, Context ctx) {
        if (spec == null || spec.isBlank()) spec = DEFAULT;
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        Map<String, String> opts = options(spec, colon < 0 ? "" : s.substring(colon + 1));
        CachePolicy p = switch (name) {
            case "lru" -> new LruPolicy(ctx.keys());
            case "lfu" -> new LfuPolicy(ctx.keys());
            case "lfru" -> {
                double t = positive(spec, opts.remove("half-life"), DEFAULT_HALF_LIFE_TOKENS, "half-life");
                yield new LfruPolicy(ctx.keys(), t * ctx.accessesPerToken(), t);
            }
            case "next-use" -> new NextUsePolicy(ctx.keys(), positive(spec, opts.remove("half-life"), DEFAULT_NEXT_USE_HALF_LIFE_TOKENS, "half-life"));
            case "quota" -> new LayerQuotaPolicy(ctx.keys(), ctx.capacity(), create(inner(opts, "lru"), ctx));
            case "pinned" -> {
                if (ctx.profile() == null) {
                    throw new IllegalArgumentException("the pinned policy needs a saved profile (--cache-profile FILE, written by --save-profile)");
                }
                double f = fraction(spec, opts.remove("fraction"));
                yield new PinnedHotPolicy(ctx.keys(), ctx.capacity(), ctx.workingSet(), ctx.profile(), f, create(inner(opts, DEFAULT), ctx));
            }
            case "belady" -> {
                if (ctx.future() == null) {
                    throw new IllegalArgumentException("belady is an offline policy: it needs the future accesses, so only cache-sim can run it");
                }
                yield new BeladyPolicy(ctx.future());
            }
            default -> throw new IllegalArgumentException("unknown cache policy '" + name + "' in '" + spec
                    + "'; expected one of lru, lfu, lfru, next-use, quota, pinned (and belady in cache-sim)");
        };
        if (!opts.isEmpty()) {
            throw new IllegalArgumentException("cache policy '" + spec + "': option " + opts.keySet().iterator().next() + " does not apply to " + name);
        }
        return p;
    }

    private static Map<String, String> options(String spec, String rest) {
        Map<String, String> opts = new LinkedHashMap<>();
        while (!rest.isEmpty()) {
            int eq = rest.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("cache policy '" + spec + "': expected key=value, found '" + rest + "'");
            String key = rest.substring(0, eq);
            String after = rest.substring(eq + 1);
            if (key.equals("inner")) {
                opts.put(key, after);
                break;
            }
            int next = after.indexOf(':');
            String value = next < 0 ? after : after.substring(0, next);
            if (opts.put(key, value) != null) throw new IllegalArgumentException("cache policy '" + spec + "': " + key + " given twice");
            rest = next < 0 ? "" : after.substring(next + 1);
        }
        return opts;
    }

    private static String inner(Map<String, String> opts, String def) {
        String v = opts.remove("inner");
        if (v == null) return def;
        if (v.isBlank()) throw new IllegalArgumentException("inner= needs a policy");
        return v;
    }

    private static double positive(String spec, String v, double def, String what) {
        if (v == null) return def;
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && Double.isFinite(d)) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("cache policy '" + spec + "': " + what + " must be a positive number of tokens, is '" + v + "'");
    }

    private static double fraction(String spec, String v) {
        if (v == null) return DEFAULT_PIN_FRACTION;
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && d <= 1) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("cache policy '" + spec + "': fraction must be in [0, 1], is '" + v + "'");
    }

    /** A number as a spec writes it: no trailing ".0". */
    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
