package org.moe4j.server;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.moe4j.api.Moe4j;
import org.moe4j.cli.options.ExpertCacheOptions;
import org.moe4j.cli.options.ModelOptions;
import org.moe4j.generate.BatchEngine;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.moe.policy.RoutingPolicies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP with an OpenAI-compatible API (POST /v1/chat/completions, POST /v1/completions, "
                + "GET /v1/models), a chat page with a live view of the routing at /, GET /health and Prometheus GET /metrics.",
                "Requests share forward passes (continuous batching over --slots sequences); each request may set its own "
                        + "routing policy and ask for its routing with the \"moe4j\" field: {\"moe4j\": {\"policy\": [\"top-k=2\"], \"trace\": true}}.",
                "With --expert-cache the routed experts are read on demand into a RAM budget shared by every request "
                        + "(docs/expert-cache.md); /metrics then shows its hit ratio, bytes read and stall time, and --stats, "
                        + "--stats-json and --save-profile report on shutdown.",
                "Ctrl-C shuts down gracefully: running requests may finish for --shutdown-grace."})
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ExpertCacheOptions expertCache;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--model-id", description = "The model's id in the API (default: the file name without .gguf)")
    String modelId;

    @Option(names = "--slots", defaultValue = "8",
            description = "Sequences batched together at most; each has its own KV cache of --ctx tokens (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--step-tokens", defaultValue = "256",
            description = "Tokens per forward pass at most: one per generating sequence, the rest for prompt chunks (default: ${DEFAULT-VALUE})")
    int stepTokens;

    @Option(names = "--queue", defaultValue = "64", description = "Requests that may wait for a slot; more get 429 (default: ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' on /v1 and /metrics (default: the MOE4J_API_KEY "
            + "environment variable, else no key)")
    String apiKey;

    @Option(names = "--policy", paramLabel = "SPEC",
            description = "Routing policy for requests that name none (repeatable; same syntax as run --policy)")
    List<String> policy = new ArrayList<>();

    @Option(names = "--shutdown-grace", defaultValue = "30s", converter = Durations.class,
            description = "On shutdown, how long running requests may finish before they are cancelled (default: ${DEFAULT-VALUE})")
    Duration shutdownGrace;

    @Option(names = "--access-log", paramLabel = "FILE",
            description = "Write the JSON access log (one line per request) to FILE instead of standard error")
    Path accessLog;

    @Option(names = "--no-access-log", description = "No access log")
    boolean noAccessLog;

    @Override
    public Integer call() throws Exception {
        if (apiKey == null) apiKey = System.getenv("MOE4J_API_KEY");
        RoutingPolicies.parse(policy); // fail now on a bad default policy, not on the first request
        PrintStream log = noAccessLog ? null
                : accessLog == null ? System.err
                : new PrintStream(Files.newOutputStream(accessLog, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
        Path file = modelOptions.path();
        try (Moe4j llm = Moe4j.load(file, modelOptions.loadOptions(), modelOptions.contextLength())) {
            ServedModel served = new ServedModel(llm, modelId != null ? modelId : ServedModel.idOf(file), policy);
            long kvBytes = llm.model().cacheBytesPerToken() * slots * (long) llm.contextLength();
            System.err.printf(Locale.ROOT, "moe4j serve: %s (%s), %d slots x %d tokens of KV cache (%.1f MiB), up to %d tokens per step%n",
                    served.id(), llm.model().config().architecture, slots, llm.contextLength(), kvBytes / 1048576.0, stepTokens);
            System.err.printf(Locale.ROOT, "moe4j serve: warm-up %.1f s%n", llm.warmUp());
            // after the warm-up, so that the cache's contents and statistics are the requests'; before the engine,
            // which wraps whatever expert store the model has in its byte counter
            try (ExpertCache cache = expertCache.open(llm.model())) {
                serve(llm, served, cache, log);
            }
        } finally {
            if (log != null && log != System.err) log.close();
        }
        return 0;
    }

    private void serve(Moe4j llm, ServedModel served, ExpertCache cache, PrintStream log) throws InterruptedException {
        BatchEngine engine = new BatchEngine(llm.model(), llm.tokenizer(),
                new BatchEngine.Settings(slots, llm.contextLength(), stepTokens, queue));
        Moe4jServer.Settings s = new Moe4jServer.Settings(host, port, apiKey, shutdownGrace, log, 1);
        Moe4jServer server = new Moe4jServer(served, engine, s);
        if (cache != null) server.setExpertCacheStats(cache::stats);
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.err.println("moe4j serve: shutting down (running requests may finish for " + shutdownGrace.toSeconds() + " s)");
            server.close();
            stopped.countDown();
            try {
                // the JVM halts when the hooks return: let the serving thread write its statistics first
                reported.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "moe4j-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.println("moe4j serve: listening on " + server.url() + "  (chat page: " + server.url() + "/ , API: "
                + server.url() + "/v1" + (apiKey != null ? ", API key required" : "") + ")");
        try {
            stopped.await();
            BatchEngine.Stats st = engine.stats();
            expertCache.report(cache, llm.model(), st.stepNanos() == 0 ? 0 : st.generatedTokens() * 1e9 / st.stepNanos(), System.err);
        } finally {
            reported.countDown();
        }
    }
}
