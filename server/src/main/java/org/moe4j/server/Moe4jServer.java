package org.moe4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.moe4j.generate.BatchEngine;
import org.moe4j.moe.cache.ExpertCacheStats;

/**
 * The HTTP server: OpenAI-compatible endpoints over a {@link BatchEngine}, health and Prometheus metrics,
 * and the web page. Built on Javalin (Jetty) with a virtual thread per request, so a request may block
 * waiting for its tokens without holding a platform thread.
 */
public final class Moe4jServer implements AutoCloseable {

    /**
     * @param host          address to listen on (127.0.0.1: this machine only)
     * @param port          TCP port; 0 picks a free one ({@link #port()} tells which)
     * @param apiKey        clients must send {@code Authorization: Bearer apiKey} to /v1 and /metrics; null = open
     * @param shutdownGrace how long {@link #close()} lets running requests finish before cancelling them
     * @param accessLog     where the JSON access log goes, or null for none
     * @param retryAfterSeconds the Retry-After of a 429
     */
    public record Settings(String host, int port, String apiKey, Duration shutdownGrace, PrintStream accessLog, int retryAfterSeconds) {
        public Settings {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, is " + port);
            if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("the API key must not be blank");
            if (retryAfterSeconds < 1) throw new IllegalArgumentException("Retry-After must be at least 1 second");
        }

        public static Settings local(int port) {
            return new Settings("127.0.0.1", port, null, Duration.ofSeconds(30), null, 1);
        }

        public Settings withApiKey(String key) {
            return new Settings(host, port, key, shutdownGrace, accessLog, retryAfterSeconds);
        }

        public Settings withAccessLog(PrintStream out) {
            return new Settings(host, port, apiKey, shutdownGrace, out, retryAfterSeconds);
        }

        public Settings withShutdownGrace(Duration grace) {
            return new Settings(host, port, apiKey, grace, accessLog, retryAfterSeconds);
        }
    }

    static {
        // Jetty's and Javalin's informational lines would drown the access log; warnings still show
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    }

    private static final Set<String> WEB_ASSETS = Set.of("index.html", "app.js", "style.css");

    private final ServedModel served;
    private final BatchEngine engine;
    private final Settings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final ServerMetrics metrics;
    private final GenerationHandler generation;
    private final AccessLog accessLog;
    private final ApiKeyCheck apiKey;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService ticker;
    private volatile boolean stopping;
    private Javalin app;

    public Moe4jServer(ServedModel served, BatchEngine engine, Settings settings) {
        this.served = served;
        this.engine = engine;
        this.settings = settings;
        this.metrics = new ServerMetrics(engine);
        this.generation = new GenerationHandler(served, engine, json, metrics);
        this.accessLog = new AccessLog(settings.accessLog(), json);
        this.apiKey = settings.apiKey() == null ? null : new ApiKeyCheck(settings.apiKey());
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "moe4j-metrics-tick");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Where the expert cache's hit rate comes from (a value in 0..1, or NaN while there is none); the
     * {@code moe4j_expert_cache_hit_ratio} gauge appears once this is set.
     */
    public void setExpertCacheHitRate(DoubleSupplier hitRate) {
        metrics.expertCacheHitRate(hitRate);
    }

    /**
     * Where the expert cache's statistics come from (e.g. {@code cache::stats}): /metrics then shows its hit
     * ratio (once there was a lookup), lookups, hits, loads, bytes read, stall seconds and residency.
     */
    public void setExpertCacheStats(Supplier<ExpertCacheStats.Snapshot> stats) {
        metrics.expertCache(stats);
    }

    public Moe4jServer start() {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.maxRequestSize = 8L << 20;
            cfg.requestLogger.http(this::logged);
            cfg.routes.before(this::guard);
            cfg.routes.get("/", ctx -> asset(ctx, "index.html"));
            cfg.routes.get("/web/{file}", ctx -> asset(ctx, ctx.pathParam("file")));
            cfg.routes.get("/health", this::health);
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render()));
            cfg.routes.get("/v1/models", ctx -> ctx.contentType("application/json").result(json.writeValueAsString(models())));
            cfg.routes.get("/v1/models/{id}", this::model);
            cfg.routes.post("/v1/chat/completions", ctx -> generate(ctx, Endpoint.CHAT));
            cfg.routes.post("/v1/completions", ctx -> generate(ctx, Endpoint.COMPLETION));
            cfg.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, new ApiException(e.getStatus(),
                    e.getStatus() == 404 ? "not_found_error" : "invalid_request_error", null, null,
                    e.getStatus() == 404 ? "Unknown request URL: " + ctx.method().name() + " " + ctx.path() + "." : e.getMessage())));
            cfg.routes.exception(Exception.class, (e, ctx) -> error(ctx, new ApiException(500, "api_error", null, "internal_error",
                    "Internal error: " + e)));
        });
        app.start(settings.host(), settings.port());
        ticker.scheduleAtFixedRate(metrics::tick, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** The port the server listens on. */
    public int port() {
        return app.port();
    }

    public String url() {
        return "http://" + (settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host()) + ":" + port();
    }

    /**
     * Graceful shutdown: new generation requests get 503, running ones may finish for the grace period
     * (then they are cancelled), and the HTTP server stops once their responses are written.
     */
    @Override
    public void close() {
        if (stopping) return;
        stopping = true;
        engine.shutdown(settings.shutdownGrace());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ticker.shutdownNow();
        if (app != null) app.stop();
    }

    private void guard(Context ctx) {
        String path = ctx.path();
        boolean api = path.startsWith("/v1/") || path.equals("/metrics");
        if (api && apiKey != null && !ctx.method().name().equals("OPTIONS")) apiKey.check(ctx.header("Authorization"));
    }

    private void generate(Context ctx, Endpoint endpoint) throws Exception {
        if (stopping) throw new ApiException(503, "api_error", null, "shutting_down", "The server is shutting down.");
        inFlight.incrementAndGet();
        try {
            generation.handle(ctx, endpoint);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void error(Context ctx, ApiException e) {
        if (ctx.res().isCommitted()) return;
        if (e.status() == 429) ctx.header("Retry-After", Integer.toString(settings.retryAfterSeconds()));
        if (e.status() == 401) ctx.header("WWW-Authenticate", "Bearer");
        try {
            ctx.status(e.status()).contentType("application/json").result(json.writeValueAsString(e.body()));
        } catch (IOException io) {
            ctx.status(e.status());
        }
    }

    private void logged(Context ctx, Float millis) {
        String path = ctx.path();
        String endpoint = path.startsWith("/v1/models") ? "/v1/models"
                : path.equals("/v1/chat/completions") || path.equals("/v1/completions") || path.equals("/health")
                || path.equals("/metrics") ? path : path.startsWith("/web/") || path.equals("/") ? "/web" : "other";
        metrics.request(endpoint, ctx.statusCode());
        accessLog.log(ctx, millis);
    }

    private void health(Context ctx) throws IOException {
        BatchEngine.Stats s = engine.stats();
        ObjectNode o = json.createObjectNode();
        o.put("status", stopping ? "stopping" : "ok");
        o.put("model", served.id());
        o.put("active_sequences", s.active());
        o.put("queue_depth", s.waiting());
        o.put("slots", engine.settings().slots());
        ctx.status(stopping ? 503 : 200).contentType("application/json").result(json.writeValueAsString(o));
    }

    private ObjectNode modelObject() {
        ObjectNode m = json.createObjectNode();
        m.put("id", served.id());
        m.put("object", "model");
        m.put("created", served.created());
        m.put("owned_by", "moe4j");
        ObjectNode x = m.putObject("moe4j");
        var cfg = served.llm().model().config();
        x.put("architecture", cfg.architecture);
        x.put("context_length", served.contextLength());
        x.put("layers", cfg.blockCount);
        x.put("experts", cfg.expertCount);
        x.put("experts_per_token", cfg.expertUsedCount);
        ArrayNode moe = x.putArray("moe_layers");
        for (int l : engine.moeLayers()) moe.add(l);
        x.put("slots", engine.settings().slots());
        x.put("default_policy", String.join(" ", served.defaultPolicy()));
        return m;
    }

    private ObjectNode models() {
        ObjectNode o = json.createObjectNode();
        o.put("object", "list");
        o.putArray("data").add(modelObject());
        return o;
    }

    private void model(Context ctx) throws IOException {
        String id = ctx.pathParam("id");
        if (!id.equals(served.id())) {
            throw new ApiException(404, "invalid_request_error", "model", "model_not_found", "The model '" + id + "' does not exist.");
        }
        ctx.contentType("application/json").result(json.writeValueAsString(modelObject()));
    }

    private void asset(Context ctx, String name) throws IOException {
        if (!WEB_ASSETS.contains(name)) throw new HttpResponseException(404, "not found");
        try (InputStream in = Moe4jServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) throw new HttpResponseException(404, "not found");
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            ctx.contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
        }
    }
}
