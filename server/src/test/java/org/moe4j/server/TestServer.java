package org.moe4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.moe4j.api.Moe4j;
import org.moe4j.generate.BatchEngine;
import org.moe4j.model.LoadOptions;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.moe.cache.ExpertCacheConfig;
import org.moe4j.testing.Manifest;

/** A server on a loopback port over a conformance model, and a small HTTP client for tests. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Moe4j llm;
    final BatchEngine engine;
    final Moe4jServer server;
    /** The expert cache the model's experts come from, or null for the mapped file. */
    final ExpertCache cache;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String apiKey;

    private TestServer(Moe4j llm, BatchEngine engine, Moe4jServer server, ExpertCache cache, String apiKey) {
        this.llm = llm;
        this.engine = engine;
        this.server = server;
        this.cache = cache;
        this.apiKey = apiKey;
    }

    static TestServer start(String model, BatchEngine.Settings engineSettings, Moe4jServer.Settings serverSettings) {
        return start(model, engineSettings, serverSettings, null);
    }

    /** As serve does: the expert cache (if {@code cacheConfig} is given) opened before the engine, its statistics on /metrics. */
    static TestServer start(String model, BatchEngine.Settings engineSettings, Moe4jServer.Settings serverSettings,
                            ExpertCacheConfig cacheConfig) {
        Moe4j llm = Moe4j.load(Manifest.get(model).modelFile(), LoadOptions.defaults().withThreads(1), engineSettings.contextLength());
        ExpertCache cache = cacheConfig == null ? null : ExpertCache.open(llm.model(), cacheConfig);
        BatchEngine engine = new BatchEngine(llm.model(), llm.tokenizer(), engineSettings);
        ServedModel served = new ServedModel(llm, model, List.of());
        Moe4jServer server = new Moe4jServer(served, engine, serverSettings);
        if (cache != null) server.setExpertCacheStats(cache::stats);
        return new TestServer(llm, engine, server.start(), cache, serverSettings.apiKey());
    }

    static TestServer start(String model) {
        return start(model, new BatchEngine.Settings(8, 512, 64, 16), Moe4jServer.Settings.local(0));
    }

    String url() {
        return server.url();
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return b;
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    @Override
    public void close() {
        server.close();
        if (cache != null) cache.close();
        llm.close();
    }
}
