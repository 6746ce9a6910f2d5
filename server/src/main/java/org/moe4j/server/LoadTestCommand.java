package org.moe4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = {"Load-test a running server (moe4j serve or any OpenAI-compatible one): N concurrent streaming chat clients "
                + "for a fixed time. Reports throughput, time to first token, inter-token latency and request latency percentiles, "
                + "errors and, from the server's /metrics, average tokens per forward pass and expert weight bytes read per token.",
                "--verify first asks each prompt alone and then checks that every concurrent (greedy) answer is identical to it; "
                        + "--compare-single also runs one client for the same time and reports the speed-up; --sweep runs several "
                        + "client counts in turn. Exits with status 1 if any request failed or any answer differed."})
public final class LoadTestCommand implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "The server (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--duration", defaultValue = "30s", converter = Durations.class,
            description = "How long each phase issues requests (requests in flight then finish) (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--max-tokens", defaultValue = "64", description = "max_tokens of every request (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "Temperature of every request; 0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--prompts", paramLabel = "FILE", description = "Prompts, one per line (default: 16 built-in prompts of different lengths)")
    Path prompts;

    @Option(names = "--api-key", description = "Sent as 'Authorization: Bearer KEY' (default: the MOE4J_API_KEY environment variable)")
    String apiKey;

    @Option(names = "--verify", description = "Check that every answer equals the prompt's answer when served alone (needs --temperature 0)")
    boolean verify;

    @Option(names = "--compare-single", description = "Also run a single client for --duration first and report the aggregate speed-up")
    boolean compareSingle;

    @Option(names = "--sweep", split = ",", paramLabel = "N,N..", description = "Run one phase per client count, e.g. 1,2,4,8,16 (instead of --clients)")
    List<Integer> sweep;

    @Option(names = "--max-requests", defaultValue = "0", description = "Stop each phase after this many requests (default: no limit)")
    int maxRequests;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the reports as JSON")
    Path json;

    static final List<String> BUILT_IN_PROMPTS = List.of(
            "Hello!",
            "Name three colours.",
            "What is the capital of France?",
            "Write one sentence about the sea at night.",
            "Explain in two sentences why the sky looks blue during the day.",
            "List the planets of the solar system in order of their distance from the sun.",
            "A farmer has seventeen sheep and all but nine run away. How many sheep does the farmer have left? Explain.",
            "Describe how a bicycle works, starting with the pedals and ending with the wheels touching the road.",
            "Give me a short recipe for pancakes with the quantities for four people and the order of the steps.",
            "Summarise the plot of a story in which a lighthouse keeper finds a message in a bottle and decides to answer it.",
            "Translate into French: the train leaves at seven in the morning, so we should be at the station by half past six.",
            "What are the differences between a list, a set and a map in programming? Give an example of when each is the right choice.",
            "Write a haiku about autumn leaves, then explain the syllable count of each of its three lines and why haiku use that pattern.",
            "Imagine you are a tour guide in an old city. Welcome a group of visitors, tell them what they will see today, and give them "
                    + "two safety tips for walking through narrow streets.",
            "Compare walking, cycling and taking the bus as ways of getting to work in a large city, considering cost, time, health and "
                    + "the weather, and recommend one for a person who lives eight kilometres from the office.",
            "You are given a sequence of numbers: 2, 3, 5, 7, 11, 13. Describe the pattern, give the next three numbers, explain how you "
                    + "found them, and say whether the sequence ever ends, with a short argument for your answer.");

    @Override
    public Integer call() throws Exception {
        if (apiKey == null) apiKey = System.getenv("MOE4J_API_KEY");
        List<String> ps = prompts == null ? BUILT_IN_PROMPTS
                : Files.readAllLines(prompts).stream().filter(s -> !s.isBlank()).toList();
        if (verify && temperature != 0) throw new IllegalArgumentException("--verify compares greedy answers: use --temperature 0");
        LoadTest lt = new LoadTest(new LoadTest.Settings(url, apiKey, clients, duration, maxTokens, temperature, ps, maxRequests));

        Map<Integer, String> refs = null;
        if (verify) {
            System.err.printf(Locale.ROOT, "loadtest: asking each of the %d prompts alone for its reference answer...%n", ps.size());
            refs = lt.references();
        }
        List<Integer> counts = new ArrayList<>();
        if (sweep != null && !sweep.isEmpty()) counts.addAll(sweep);
        else {
            if (compareSingle) counts.add(1);
            counts.add(clients);
        }
        List<LoadTest.Report> reports = new ArrayList<>();
        for (int n : counts) {
            System.err.printf(Locale.ROOT, "loadtest: %d client%s for %.0f s against %s...%n", n, n == 1 ? "" : "s", duration.toMillis() / 1e3, url);
            LoadTest.Report r = lt.run(n, refs);
            reports.add(r);
            print(r);
        }
        if (reports.size() > 1) {
            LoadTest.Report one = reports.stream().filter(r -> r.clients() == 1).findFirst().orElse(null);
            if (one != null && one.tokensPerSecond() > 0) {
                for (LoadTest.Report r : reports) {
                    if (r.clients() == 1) continue;
                    System.out.printf(Locale.ROOT, "speed-up with %d clients: %.2fx the aggregate tokens/s of one client%n", r.clients(),
                            r.tokensPerSecond() / one.tokensPerSecond());
                }
            }
            System.out.println();
            System.out.println("| clients | tokens/s | TTFT p50 ms | ITL p50 ms | tokens per step | expert MiB per generated token | expert MiB per decode token |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (LoadTest.Report r : reports) {
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.2f | %.4f | %.4f |%n", r.clients(), r.tokensPerSecond(), r.ttft().p50(),
                        r.interToken().p50(), r.batchTokensAverage(), r.expertBytesPerGeneratedToken() / 1048576,
                        r.expertBytesPerDecodeToken() / 1048576);
            }
        }
        if (json != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("url", url.toString());
            o.put("max_tokens", maxTokens);
            o.put("temperature", temperature);
            o.put("verified", verify);
            o.put("reports", reports);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), o);
        }
        boolean bad = reports.stream().anyMatch(r -> r.errors() > 0 || r.mismatches() > 0);
        return bad ? 1 : 0;
    }

    private void print(LoadTest.Report r) {
        System.out.printf(Locale.ROOT, "clients %d: %d requests in %.1f s, %d errors%s, %d tokens, %.1f tokens/s%n", r.clients(), r.requests(),
                r.seconds(), r.errors(), verify ? ", " + r.mismatches() + " answers different from the single-client answer" : "",
                r.tokens(), r.tokensPerSecond());
        System.out.printf(Locale.ROOT, "  time to first token ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n", r.ttft().p50(), r.ttft().p90(),
                r.ttft().p99(), r.ttft().max());
        System.out.printf(Locale.ROOT, "  inter-token latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f%n", r.interToken().p50(),
                r.interToken().p90(), r.interToken().p99(), r.interToken().max());
        System.out.printf(Locale.ROOT, "  request latency ms:     p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n", r.latency().p50(), r.latency().p90(),
                r.latency().p99(), r.latency().max());
        if (!Double.isNaN(r.batchTokensAverage())) {
            System.out.printf(Locale.ROOT, "  server: %.2f tokens per forward pass, expert weights read %.4f MiB per generated token "
                            + "(%.4f MiB per token in decode-only steps)%n", r.batchTokensAverage(), r.expertBytesPerGeneratedToken() / 1048576,
                    r.expertBytesPerDecodeToken() / 1048576);
        }
        for (String m : r.errorMessages()) System.out.println("  error: " + m);
    }
}
