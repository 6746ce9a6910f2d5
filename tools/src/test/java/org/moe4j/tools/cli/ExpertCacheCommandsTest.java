package org.moe4j.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.cache.CachePolicies;
import org.moe4j.moe.cache.ExpertLayout;
import org.moe4j.moe.cache.ExpertReader;
import org.moe4j.testing.Manifest;
import picocli.CommandLine;

/** bench with the expert cache and a trace, then cache-sim on that trace, as a user would run them. */
class ExpertCacheCommandsTest {
    @TempDir
    Path dir;

    @Test
    void benchWithTheCacheThenReplayItsTrace() throws Exception {
        Path model = Manifest.get("olmoe").modelFile();
        Path trace = dir.resolve("bench.trace");
        Path stats = dir.resolve("stats.json");
        String out = Commands.run(new BenchCommand(), "-m", model.toString(), "-p", "0", "-n", "48", "-r", "1", "-t", "2", "--bandwidth-gib", "0",
                "--json", "--trace", trace.toString(), "--expert-cache", "700KiB", "--stats-json", stats.toString());
        JsonNode bench = new ObjectMapper().readTree(out);
        JsonNode s = new ObjectMapper().readTree(stats.toFile());
        assertThat(s.get("tokens_per_s").asDouble()).isEqualTo(bench.get("tg_tokens_per_s").asDouble());
        assertThat(s.get("hit_rate").asDouble()).isBetween(0.0, 1.0);
        assertThat(s.get("accesses").asLong()).as("timed runs only: 48 tokens, 2 layers, 4 experts").isEqualTo(48 * 2 * 4);

        String json = Commands.run(new CacheSimCommand(), "--trace", trace.toString(), "--budget", "2x,4x,20", "--json");
        JsonNode sim = new ObjectMapper().readTree(json);
        assertThat(sim.get("active_per_token").asDouble()).isEqualTo(8.0);
        assertThat(sim.get("budgets")).hasSize(3);
        JsonNode two = sim.get("budgets").get(0);
        assertThat(two.get("slots").asInt()).isEqualTo(16);
        assertThat(sim.get("budgets").get(2).get("slots").asInt()).isEqualTo(20);
        for (JsonNode b : sim.get("budgets")) {
            JsonNode hr = b.get("hit_rates");
            double belady = hr.get("belady").asDouble();
            // pinned is left out of the bound: its experts are loaded before the first token (free loads that
            // Belady's cold start does not get), and in a prompt pass, whose steps are larger than the cache and
            // served in rounds of a fixed order, its rounds are smaller and keep its pinned experts, a choice
            // Belady's rounds do not have (Belady is optimal for steps that fit: CachePolicyTest)
            for (String p : CachePolicies.ONLINE) {
                double rate = hr.get(p).asDouble();
                if (p.equals("pinned")) assertThat(rate).as(p + " at " + b.get("budget")).isBetween(0.0, 1.0);
                else assertThat(rate).as(p + " at " + b.get("budget")).isBetween(0.0, belady);
            }
        }
        assertThat(two.get("default_vs_belady").asDouble())
                .isEqualTo(two.get("hit_rates").get(CachePolicies.DEFAULT).asDouble() / two.get("hit_rates").get("belady").asDouble());
        String table = Commands.run(new CacheSimCommand(), "--trace", trace.toString(), "--budget", "1x", "--policy", "lru,lfru:half-life=2");
        assertThat(table).contains("lru").contains("lfru:half-life=2").contains("belady");
        assertThat(new CommandLine(new CacheSimCommand()).execute("--trace", trace.toString(), "--budget", "1GiB")).isNotZero();
        long slot;
        try (Model m = ModelLoader.load(model, LoadOptions.defaults().withThreads(1))) {
            slot = ExpertLayout.of(m, ExpertReader.alignment(model)).slotBytes();
        }
        long slots = (1 << 20) / slot;
        assertThat(Commands.run(new CacheSimCommand(), "--trace", trace.toString(), "--budget", "1MiB", "--model", model.toString(), "--json"))
                .contains("\"slots\" : " + slots).contains("\"slot_bytes\" : " + slot).contains("\"budget_bytes\" : " + slots * slot);
    }

    @Test
    void aTraceWithGatePredictionsIsAlsoReplayedWithPrefetch() throws Exception {
        Path model = Manifest.get("olmoe").modelFile();
        Path trace = dir.resolve("pred.trace");
        Commands.run(new BenchCommand(), "-m", model.toString(), "-p", "0", "-n", "32", "-r", "1", "-t", "1", "--bandwidth-gib", "0",
                "--json", "--trace", trace.toString(), "--trace-predictions");
        JsonNode sim = new ObjectMapper().readTree(Commands.run(new CacheSimCommand(), "--trace", trace.toString(), "--budget", "2x", "--json"));
        JsonNode gate = sim.get("gate_prediction");
        // the second of the 2 MoE blocks is predicted at every step (the first has no block before it)
        var records = org.moe4j.trace.RoutingTraceReader.read(trace).records();
        assertThat(records).filteredOn(r -> r.layer() == 1).allSatisfy(r -> assertThat(r.predicted()).isNotNull());
        assertThat(records).filteredOn(r -> r.layer() == 0).allSatisfy(r -> assertThat(r.predicted()).isNull());
        assertThat(gate.get("steps").asLong()).as("one step per token of every pass").isGreaterThanOrEqualTo(32);
        assertThat(gate.get("precision").asDouble()).isBetween(0.0, 1.0);
        JsonNode two = sim.get("budgets").get(0);
        for (String p : CachePolicies.ONLINE) assertThat(two.get("prefetch_hit_rates").get(p).asDouble()).as(p).isBetween(0.0, 1.0);
        assertThat(two.get("prefetch_hit_rates").has("belady")).isTrue();
        assertThat(two.get("default_prefetch_vs_belady").asDouble()).isEqualTo(
                two.get("prefetch_hit_rates").get(CachePolicies.DEFAULT).asDouble() / two.get("hit_rates").get("belady").asDouble());
        assertThat(two.get("default_prefetch_used").asLong()).isBetween(0L, two.get("default_prefetch_loads").asLong());

        String table = Commands.run(new CacheSimCommand(), "--trace", trace.toString(), "--budget", "2x");
        assertThat(table).contains("gate predictions on " + gate.get("steps").asLong() + " layer steps").contains(" demand ").contains(" prefetch ");
        Path png = dir.resolve("sim.png");
        assertThat(Commands.run(new CacheSimCommand(), "--trace", trace.toString(), "--budget", "1x,2x,3x", "--plot", png.toString()))
                .contains("chart: " + png);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(600);
        String demandOnly = Commands.run(new CacheSimCommand(), "--trace", trace.toString(), "--budget", "2x", "--no-prefetch", "--json");
        assertThat(new ObjectMapper().readTree(demandOnly).get("budgets").get(0).has("prefetch_hit_rates")).isFalse();
    }
}
