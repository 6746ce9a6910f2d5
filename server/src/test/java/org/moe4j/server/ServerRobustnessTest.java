package org.moe4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.moe4j.generate.BatchEngine;

class ServerRobustnessTest {
    private static final String LONG = "{\"messages\":[{\"role\":\"user\",\"content\":\"Go on and on.\"}],\"max_tokens\":400,"
            + "\"temperature\":0.9,\"seed\":3,\"stream\":true}";

    /** Opens a raw streaming request and returns the socket once the first token chunk arrived. */
    private static Socket openStream(TestServer s, String body) throws Exception {
        URI u = URI.create(s.url());
        Socket sock = new Socket(u.getHost(), u.getPort());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = sock.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).startsWith("HTTP/1.1 200");
        int dataLines = 0;
        for (String line; dataLines < 3 && (line = in.readLine()) != null; ) if (line.startsWith("data: ")) dataLines++;
        assertThat(dataLines).isEqualTo(3);
        return sock;
    }

    private static void awaitIdle(BatchEngine e) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (e.stats().active() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
    }

    @Test
    void aClientThatDisconnectsCancelsItsGenerationAndFreesTheSlot() throws Exception {
        try (TestServer s = TestServer.start("qwen3moe", new BatchEngine.Settings(1, 512, 16, 4), Moe4jServer.Settings.local(0))) {
            Socket sock = openStream(s, LONG);
            assertThat(s.engine.stats().active()).isEqualTo(1);
            sock.close();
            awaitIdle(s.engine);
            BatchEngine.Stats st = s.engine.stats();
            assertThat(st.active()).isZero();
            assertThat(st.cancelled()).isEqualTo(1);
            assertThat(st.generatedTokens()).isLessThan(400);
            // the freed slot serves the next request
            HttpResponse<String> r = s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(s.get("/metrics").body()).contains("moe4j_client_disconnects_total 1");
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        try (TestServer s = TestServer.start("qwen3moe", new BatchEngine.Settings(1, 512, 16, 0), Moe4jServer.Settings.local(0))) {
            Socket busy = openStream(s, LONG);
            HttpResponse<String> r = s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            BadRequestTest.assertError(r.body(), "rate_limit_error", null, "queue_full");
            busy.close();
            awaitIdle(s.engine);
            assertThat(s.get("/metrics").body()).contains("moe4j_requests_rejected_total 1")
                    .contains("moe4j_requests_total{endpoint=\"/v1/chat/completions\",status=\"429\"} 1");
        }
    }

    @Test
    void anApiKeyIsRequiredOnTheApiButNotOnThePageOrHealth() throws Exception {
        try (TestServer s = TestServer.start("qwen3moe", new BatchEngine.Settings(2, 512, 16, 4), Moe4jServer.Settings.local(0).withApiKey("s3cret"))) {
            var plain = java.net.http.HttpClient.newHttpClient();
            HttpResponse<String> none = plain.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            BadRequestTest.assertError(none.body(), "invalid_request_error", null, "missing_api_key");
            HttpResponse<String> wrong = plain.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer s3creT").POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            BadRequestTest.assertError(wrong.body(), "invalid_request_error", null, "invalid_api_key");
            HttpResponse<String> metrics = plain.send(HttpRequest.newBuilder(URI.create(s.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(401);
            assertThat(plain.send(HttpRequest.newBuilder(URI.create(s.url() + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            assertThat(plain.send(HttpRequest.newBuilder(URI.create(s.url() + "/")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("<title>moe4j chat</title>");
            assertThat(s.get("/v1/models").statusCode()).isEqualTo(200); // with the key
        }
    }

    @Test
    void metricsHealthAndTheAccessLogDescribeTheTraffic() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Moe4jServer.Settings settings = Moe4jServer.Settings.local(0).withAccessLog(new PrintStream(log, true, StandardCharsets.UTF_8));
        try (TestServer s = TestServer.start("qwen3moe", new BatchEngine.Settings(4, 512, 32, 4), settings)) {
            HttpResponse<String> r = s.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":6,\"temperature\":0,\"logprobs\":2}");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = TestServer.json(r.body());
            assertThat(body.get("object").asText()).isEqualTo("text_completion");
            int n = body.get("usage").get("completion_tokens").asInt();
            assertThat(body.get("choices").get(0).get("logprobs").get("tokens")).hasSize(n);
            assertThat(body.get("choices").get(0).get("logprobs").get("top_logprobs").get(0).size()).isBetween(1, 2);

            String m = s.get("/metrics").body();
            assertThat(m).contains("# TYPE moe4j_generated_tokens_total counter").contains("moe4j_generated_tokens_total " + n)
                    .contains("moe4j_queue_depth 0").contains("moe4j_active_experts_per_token 4")
                    .contains("# TYPE moe4j_expert_bytes_read_total counter").contains("moe4j_batch_tokens_average")
                    .contains("moe4j_generation_tokens_per_second").doesNotContain("moe4j_expert_cache_hit_ratio");
            s.server.setExpertCacheHitRate(() -> 0.75);
            assertThat(s.get("/metrics").body()).contains("moe4j_expert_cache_hit_ratio 0.750000");

            JsonNode health = TestServer.json(s.get("/health").body());
            assertThat(health.get("status").asText()).isEqualTo("ok");
            assertThat(health.get("slots").asInt()).isEqualTo(4);

            String[] lines = log.toString(StandardCharsets.UTF_8).strip().split("\n");
            JsonNode first = TestServer.json(lines[0]);
            assertThat(first.get("path").asText()).isEqualTo("/v1/completions");
            assertThat(first.get("status").asInt()).isEqualTo(200);
            assertThat(first.get("completion_tokens").asInt()).isEqualTo(n);
            assertThat(first.get("id").asText()).startsWith("cmpl-");
            assertThat(first.has("ttft_ms")).isTrue();
        }
    }

    @Test
    void streamedCompletionsAddUpToTheWholeAnswer() throws Exception {
        try (TestServer s = TestServer.start("qwen3moe", new BatchEngine.Settings(2, 512, 32, 4), Moe4jServer.Settings.local(0))) {
            String req = "{\"prompt\":\"In the beginning\",\"max_tokens\":12,\"temperature\":0,\"logprobs\":1";
            JsonNode whole = TestServer.json(s.post("/v1/completions", req + "}").body());
            HttpResponse<String> r = s.post("/v1/completions", req + ",\"stream\":true}");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            StringBuilder text = new StringBuilder();
            int logprobTokens = 0;
            JsonNode usage = null;
            List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
            assertThat(events.getLast()).isEqualTo("[DONE]");
            for (String e : events.subList(0, events.size() - 1)) {
                JsonNode c = TestServer.json(e);
                assertThat(c.get("object").asText()).isEqualTo("text_completion");
                JsonNode choice = c.get("choices").get(0);
                text.append(choice.get("text").asText());
                logprobTokens += choice.get("logprobs").get("tokens").size();
                if (c.hasNonNull("usage")) usage = c.get("usage");
            }
            assertThat(text.toString()).isEqualTo(whole.get("choices").get(0).get("text").asText());
            assertThat(usage.get("completion_tokens").asInt()).isEqualTo(whole.get("usage").get("completion_tokens").asInt())
                    .isEqualTo(logprobTokens);
        }
    }

    @Test
    void gracefulShutdownLetsARunningStreamFinish() throws Exception {
        TestServer s = TestServer.start("qwen3moe", new BatchEngine.Settings(2, 512, 16, 4), Moe4jServer.Settings.local(0));
        try {
            String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":150,\"temperature\":0.9,\"seed\":5,\"stream\":true}";
            CompletableFuture<List<String>> lines = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<java.util.stream.Stream<String>> r = s.http.send(s.request("/v1/chat/completions")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
                    lines.complete(r.body().filter(l -> l.startsWith("data: ")).toList());
                } catch (Exception e) {
                    lines.completeExceptionally(e);
                }
            });
            while (s.engine.stats().generatedTokens() < 3) Thread.sleep(5);
            s.server.close();
            List<String> got = lines.get();
            reader.join();
            assertThat(got.getLast()).isEqualTo("data: [DONE]");
            JsonNode last = TestServer.json(got.get(got.size() - 2).substring(6));
            assertThat(last.get("choices").get(0).get("finish_reason").asText()).isIn("length", "stop");
            assertThat(s.engine.stats().cancelled()).isZero();
        } finally {
            s.llm.close();
        }
    }

    @Test
    void concurrentGreedyAnswersAreIdenticalToTheirSingleClientAnswers() throws Exception {
        try (TestServer s = TestServer.start("qwen3moe", new BatchEngine.Settings(16, 1024, 128, 32), Moe4jServer.Settings.local(0))) {
            List<String> prompts = new ArrayList<>(LoadTestCommand.BUILT_IN_PROMPTS);
            LoadTest lt = new LoadTest(new LoadTest.Settings(URI.create(s.url()), null, 16, Duration.ofSeconds(60), 24, 0, prompts, 48));
            var refs = lt.references();
            LoadTest.Report r = lt.run(16, refs);
            assertThat(r.requests()).isEqualTo(48);
            assertThat(r.errors()).as(r.errorMessages().toString()).isZero();
            assertThat(r.mismatches()).as(r.errorMessages().toString()).isZero();
            assertThat(r.batchTokensAverage()).isGreaterThan(2.0); // requests really shared forward passes
        }
    }
}
