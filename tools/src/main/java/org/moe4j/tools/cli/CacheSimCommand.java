package org.moe4j.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.cache.AccessSequence;
import org.moe4j.moe.cache.CachePolicies;
import org.moe4j.moe.cache.CacheSimulator;
import org.moe4j.moe.cache.ExpertLayout;
import org.moe4j.moe.cache.ExpertProfile;
import org.moe4j.moe.cache.ExpertReader;
import org.moe4j.tools.cachesim.CacheSim;
import org.moe4j.tools.cachesim.CacheSimChart;
import org.moe4j.trace.RoutingTraceReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cache-sim", mixinStandardHelpOptions = true,
        description = {"Replay a routing trace (written with --trace; binary or JSONL) against expert cache policies and Belady's "
                + "optimal offline policy, and print their hit rates side by side: how policies compare without running the model.",
                "Each token at each layer needs its selected experts at once; every miss is loaded. When the trace was recorded with "
                        + "--trace-predictions, every policy (and Belady's eviction) is also replayed with the cache's gate-prediction "
                        + "prefetch, which can beat Belady's demand paging. Budgets: N (experts), "
                        + "Nx (N times the experts one token uses over all layers), N% (of all experts), or a size such as 2GiB "
                        + "(with --model, which gives the bytes of one cache slot)."})
public final class CacheSimCommand implements Callable<Integer> {
    @Option(names = "--trace", required = true, paramLabel = "FILE", description = "Routing trace")
    Path trace;

    @Option(names = "--budget", split = ",", paramLabel = "B", defaultValue = "1x,2x,4x",
            description = "Cache sizes to simulate, comma-separated (default: ${DEFAULT-VALUE})")
    List<String> budgets;

    @Option(names = "--policy", split = ",", paramLabel = "SPEC",
            description = "Policies to compare, comma-separated specs as for --cache-policy (default: lru,lfu,lfru,next-use,quota,pinned)")
    List<String> policies;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Expert profile for the pinned policy (default: the trace's own counts, an optimistic bound)")
    Path profile;

    @Option(names = "--model", paramLabel = "FILE", description = "The traced model, to turn budgets in bytes into slots")
    Path model;

    @Option(names = "--save-profile", paramLabel = "FILE", description = "Write the trace's expert counts as a profile (for --cache-profile)")
    Path saveProfile;

    @Option(names = "--no-prefetch", description = "Replay demand paging only, even when the trace has gate predictions")
    boolean noPrefetch;

    @Option(names = "--json", description = "Print one JSON object instead of the table")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "Also draw hit rate against cache size for every policy (give several budgets, e.g. --budget 1x,1.5x,2x,3x,4x)")
    Path plot;

    @Override
    public Integer call() throws Exception {
        AccessSequence seq = AccessSequence.of(RoutingTraceReader.read(trace));
        if (seq.length() == 0) throw new IllegalArgumentException(trace + " has no routing records");
        long slotBytes = 0;
        if (model != null) {
            try (Model m = ModelLoader.load(model, LoadOptions.defaults().withThreads(1))) {
                ExpertLayout layout = ExpertLayout.of(m, ExpertReader.alignment(model));
                if (!layout.keys().equals(seq.keys())) {
                    throw new IllegalArgumentException(model + " has " + layout.keys() + ", the trace " + seq.keys());
                }
                slotBytes = layout.slotBytes();
            }
        }
        List<String> specs = policies == null || policies.isEmpty() ? CachePolicies.ONLINE : policies;
        boolean selfProfile = profile == null;
        ExpertProfile prof = selfProfile ? CacheSim.selfProfile(seq) : ExpertProfile.read(profile);
        boolean prefetch = seq.hasPredictions() && !noPrefetch;
        List<CacheSim.Row> rows = CacheSim.run(seq, budgets, specs, prof, slotBytes, prefetch);
        CacheSim.PredictionQuality pq = CacheSim.predictionQuality(seq);
        if (saveProfile != null) CacheSim.selfProfile(seq).write(saveProfile);
        if (plot != null) CacheSimChart.write(plot, "Expert cache hit rate: " + trace.getFileName() + " (" + seq.tokens() + " tokens)", rows);
        String def = CachePolicies.create(null, new CachePolicies.Context(seq.keys(), seq.keys().size(), 1, 1, null, null)).name();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("trace", trace.toString());
            o.put("tokens", seq.tokens());
            o.put("accesses", seq.length());
            o.put("experts", seq.keys().size());
            o.put("active_per_token", seq.accessesPerToken());
            if (slotBytes > 0) o.put("slot_bytes", slotBytes);
            o.put("default_policy", CachePolicies.DEFAULT);
            o.put("pinned_profile", selfProfile ? "the trace itself" : profile.toString());
            if (pq.steps() > 0) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("steps", pq.steps());
                p.put("precision", pq.precision());
                p.put("recall", pq.recall());
                o.put("gate_prediction", p);
            }
            List<Map<String, Object>> rs = new ArrayList<>();
            for (CacheSim.Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("budget", r.budget());
                m.put("slots", r.slots());
                if (slotBytes > 0) m.put("budget_bytes", r.slots() * slotBytes); // an --expert-cache of exactly these slots
                m.put("hit_rates", hitRates(r.results()));
                if (r.results().containsKey(CachePolicies.DEFAULT)) m.put("default_vs_belady", r.hitRate(CachePolicies.DEFAULT) / r.belady());
                if (prefetch) {
                    m.put("prefetch_hit_rates", hitRates(r.prefetched()));
                    if (r.prefetched().containsKey(CachePolicies.DEFAULT)) {
                        CacheSimulator.Result d = r.prefetched().get(CachePolicies.DEFAULT);
                        m.put("default_prefetch_vs_belady", d.hitRate() / r.belady());
                        m.put("default_prefetch_loads", d.prefetched());
                        m.put("default_prefetch_used", d.prefetchUsed());
                    }
                }
                rs.add(m);
            }
            o.put("budgets", rs);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%s: %d tokens, %d expert accesses (%.1f per token) over %d experts%n", trace.getFileName(),
                seq.tokens(), seq.length(), seq.accessesPerToken(), seq.keys().size());
        List<String> cols = new ArrayList<>(rows.getFirst().results().keySet());
        boolean ratio = cols.contains(CachePolicies.DEFAULT);
        if (pq.steps() > 0) {
            System.out.printf(Locale.ROOT, "gate predictions on %d layer steps: %.1f%% of predicted experts were selected, %.1f%% of selected ones predicted%n",
                    pq.steps(), 100 * pq.precision(), 100 * pq.recall());
        }
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-8s %6s %-8s", "budget", "slots", "loads"));
        for (String c : cols) head.append(String.format(Locale.ROOT, "  %" + Math.max(6, c.length()) + "s", c));
        if (ratio) head.append("  ").append(CachePolicies.DEFAULT).append("/belady");
        System.out.println(head);
        for (CacheSim.Row r : rows) {
            printRow(r, "demand", cols, ratio, r.results());
            if (prefetch) printRow(r, "prefetch", cols, ratio, r.prefetched());
        }
        System.out.println("hit rate = expert accesses that found the expert resident; the default policy is " + def
                + (specs.contains("pinned") && selfProfile ? "; pinned uses the trace's own counts as its profile (optimistic)" : ""));
        if (prefetch) {
            System.out.println("prefetch rows: the cache's gate-prediction prefetch, reads taken to arrive in time; their belady is Belady's eviction "
                    + "with the same prefetches; " + CachePolicies.DEFAULT + "/belady compares with Belady's demand paging in both rows");
        } else if (!seq.hasPredictions()) {
            System.out.println("no prefetch replayed: record the trace with --trace-predictions to compare prefetching too");
        }
        if (plot != null) System.out.println("chart: " + plot);
        return 0;
    }

    private static Map<String, Double> hitRates(Map<String, CacheSimulator.Result> results) {
        Map<String, Double> hr = new LinkedHashMap<>();
        for (Map.Entry<String, CacheSimulator.Result> e : results.entrySet()) hr.put(e.getKey(), e.getValue().hitRate());
        return hr;
    }

    /** One row of the table; the ratio is against Belady's demand paging whatever the mode. */
    private static void printRow(CacheSim.Row r, String mode, List<String> cols, boolean ratio, Map<String, CacheSimulator.Result> res) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-8s %6d %-8s", r.budget(), r.slots(), mode));
        for (String c : cols) line.append(String.format(Locale.ROOT, "  %" + Math.max(5, c.length() - 1) + ".1f%%", res.get(c).hitRate() * 100));
        if (ratio) {
            line.append(String.format(Locale.ROOT, "  %" + (CachePolicies.DEFAULT.length() + 6) + ".1f%%",
                    res.get(CachePolicies.DEFAULT).hitRate() / r.belady() * 100));
        }
        System.out.println(line);
    }
}
