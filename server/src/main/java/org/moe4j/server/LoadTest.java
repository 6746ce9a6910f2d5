package org.moe4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N concurrent streaming chat clients against a server for a fixed time. Each client sends one request
 * after the other (greedy by default, prompts taken in turn from a list) and measures time to first token,
 * the gaps between tokens and the whole request. With references (each prompt's answer when served alone),
 * every answer is also compared with its reference.
 */
final class LoadTest {

    /**
     * @param base      the server, e.g. http://127.0.0.1:8080
     * @param temperature 0 for greedy (answers are then comparable with references)
     */
    record Settings(URI base, String apiKey, int clients, Duration duration, int maxTokens, double temperature, List<String> prompts,
                    int maxRequests) {
        Settings {
            if (clients < 1) throw new IllegalArgumentException("clients must be >= 1");
            if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("the duration must be positive");
            if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts");
            if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1");
        }

        Settings withClients(int n) {
            return new Settings(base, apiKey, n, duration, maxTokens, temperature, prompts, maxRequests);
        }
    }

    /** One finished request. */
    record Sample(int prompt, boolean ok, String error, String text, int tokens, long ttftNanos, long totalNanos, long[] gapsNanos) {
    }

    /** Nearest-rank percentiles in milliseconds. */
    record Percentiles(double p50, double p90, double p99, double max) {
        static Percentiles of(long[] nanos) {
            if (nanos.length == 0) return new Percentiles(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            long[] s = nanos.clone();
            Arrays.sort(s);
            return new Percentiles(rank(s, 0.50), rank(s, 0.90), rank(s, 0.99), s[s.length - 1] / 1e6);
        }

        private static double rank(long[] sorted, double q) {
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
        }
    }

    /**
     * What one phase measured. Server-side figures come from /metrics before and after: average tokens per
     * forward pass and expert weight bytes read per generated token.
     */
    record Report(int clients, double seconds, long requests, long errors, long mismatches, long tokens, double tokensPerSecond,
                  Percentiles ttft, Percentiles interToken, Percentiles latency, double batchTokensAverage,
                  double expertBytesPerGeneratedToken, double expertBytesPerDecodeToken, List<String> errorMessages) {
    }

    private final Settings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    LoadTest(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** Each prompt's answer when it is the only request: what every concurrent answer must equal (greedy). */
    Map<Integer, String> references() throws IOException, InterruptedException {
        Map<Integer, String> ref = new HashMap<>();
        for (int i = 0; i < settings.prompts().size(); i++) {
            Sample s = request(i);
            if (!s.ok()) throw new IOException("reference request for prompt " + i + " failed: " + s.error());
            ref.put(i, s.text());
        }
        return ref;
    }

    /** Runs {@code clients} clients for the duration; {@code references} may be null (no comparison). */
    Report run(int clients, Map<Integer, String> references) throws IOException, InterruptedException {
        Map<String, Double> before = metrics();
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long deadline = start + settings.duration().toNanos();
        int cap = settings.maxRequests() > 0 ? settings.maxRequests() : Integer.MAX_VALUE;
        java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    for (int k = 0; System.nanoTime() < deadline && issued.getAndIncrement() < cap; k++) {
                        samples.add(request((client + k * clients) % settings.prompts().size()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("load-test client failed: " + e.getCause(), e.getCause());
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> after = metrics();

        long errors = 0, mismatches = 0, tokens = 0;
        List<Long> ttft = new ArrayList<>(), gaps = new ArrayList<>(), latency = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (Sample s : samples) {
            if (!s.ok()) {
                errors++;
                if (messages.size() < 5) messages.add(s.error());
                continue;
            }
            if (references != null && !references.get(s.prompt()).equals(s.text())) {
                mismatches++;
                if (messages.size() < 5) messages.add("prompt " + s.prompt() + ": answer differs from its single-client answer");
            }
            tokens += s.tokens();
            ttft.add(s.ttftNanos());
            latency.add(s.totalNanos());
            for (long g : s.gapsNanos()) gaps.add(g);
        }
        double steps = delta(before, after, "moe4j_steps_total");
        double generated = delta(before, after, "moe4j_generated_tokens_total");
        double decodeTokens = delta(before, after, "moe4j_decode_only_tokens_total");
        return new Report(clients, seconds, samples.size(), errors, mismatches, tokens, tokens / seconds,
                Percentiles.of(unbox(ttft)), Percentiles.of(unbox(gaps)), Percentiles.of(unbox(latency)),
                steps == 0 ? Double.NaN : delta(before, after, "moe4j_batch_tokens_total") / steps,
                generated == 0 ? Double.NaN : delta(before, after, "moe4j_expert_bytes_read_total") / generated,
                decodeTokens == 0 ? Double.NaN : delta(before, after, "moe4j_decode_only_expert_bytes_total") / decodeTokens,
                messages);
    }

    private static double delta(Map<String, Double> a, Map<String, Double> b, String name) {
        if (a == null || b == null || !a.containsKey(name) || !b.containsKey(name)) return 0;
        return b.get(name) - a.get(name);
    }

    private static long[] unbox(List<Long> l) {
        long[] r = new long[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = l.get(i);
        return r;
    }

    /** The server's unlabelled metrics, or null when it has no readable /metrics. */
    private Map<String, Double> metrics() throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(builder("/metrics").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return null;
            Map<String, Double> m = new HashMap<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#") || line.contains("{")) continue;
                int sp = line.lastIndexOf(' ');
                if (sp > 0) m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            }
            return m;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(settings.base().resolve(path)).timeout(Duration.ofMinutes(5));
        if (settings.apiKey() != null) b.header("Authorization", "Bearer " + settings.apiKey());
        return b;
    }

    /** One streaming chat request, timed. */
    Sample request(int prompt) throws InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", settings.prompts().get(prompt));
        body.put("max_tokens", settings.maxTokens());
        body.put("temperature", settings.temperature());
        body.put("seed", 1234 + prompt);
        body.put("stream", true);
        long t0 = System.nanoTime();
        try {
            HttpRequest req = builder("/v1/chat/completions").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
            HttpResponse<java.io.InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                if (r.statusCode() != 200) {
                    StringBuilder err = new StringBuilder();
                    for (String l; (l = in.readLine()) != null; ) err.append(l);
                    return failed(prompt, t0, "HTTP " + r.statusCode() + ": " + err);
                }
                StringBuilder text = new StringBuilder();
                long first = 0, last = 0;
                List<Long> gaps = new ArrayList<>();
                int tokens = -1;
                boolean done = false;
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ")) continue;
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode chunk = json.readTree(data);
                    if (chunk.has("error")) return failed(prompt, t0, chunk.get("error").path("message").asText());
                    JsonNode choices = chunk.path("choices");
                    if (choices.size() > 0) {
                        String piece = choices.get(0).path("delta").path("content").asText("");
                        if (!piece.isEmpty()) {
                            long now = System.nanoTime();
                            if (first == 0) first = now;
                            else gaps.add(now - last);
                            last = now;
                            text.append(piece);
                        }
                    }
                    if (chunk.hasNonNull("usage")) tokens = chunk.get("usage").path("completion_tokens").asInt();
                }
                if (!done) return failed(prompt, t0, "the stream ended without [DONE]");
                if (tokens < 0) return failed(prompt, t0, "the stream carried no usage");
                long end = System.nanoTime();
                return new Sample(prompt, true, null, text.toString(), tokens, (first == 0 ? end : first) - t0, end - t0, unbox(gaps));
            }
        } catch (IOException e) {
            return failed(prompt, t0, e.toString());
        }
    }

    private static Sample failed(int prompt, long t0, String error) {
        return new Sample(prompt, false, error, "", 0, 0, System.nanoTime() - t0, new long[0]);
    }
}
