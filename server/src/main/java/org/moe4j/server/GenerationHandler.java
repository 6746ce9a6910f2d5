package org.moe4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.moe4j.chat.ReasoningParser;
import org.moe4j.chat.ReplySplitter;
import org.moe4j.generate.BatchEngine;
import org.moe4j.generate.EngineBusyException;
import org.moe4j.generate.GeneratedToken;
import org.moe4j.generate.SequenceRequest;
import org.moe4j.generate.SequenceResult;
import org.moe4j.generate.StopReason;
import org.moe4j.model.ContextOverflowException;

/**
 * Serves {@code /v1/chat/completions} and {@code /v1/completions}: parses and checks the request, submits it
 * to the {@link BatchEngine}, and either streams server-sent events as tokens arrive or answers once the
 * sequence ends. A stream's 200 is committed only once the engine has run the request's first forward pass
 * (until then a failure, e.g. a routing policy that does not fit the model, is still a 4xx). A client that
 * goes away while streaming is noticed at the next write (a token, or a keep-alive comment every second
 * while waiting) and its sequence is cancelled, which frees its slot.
 */
final class GenerationHandler {
    private static final long KEEP_ALIVE_MILLIS = 1000;

    private final ServedModel served;
    private final BatchEngine engine;
    private final RequestParser parser;
    private final ObjectMapper json;
    private final ServerMetrics metrics;

    GenerationHandler(ServedModel served, BatchEngine engine, ObjectMapper json, ServerMetrics metrics) {
        this.served = served;
        this.engine = engine;
        this.json = json;
        this.metrics = metrics;
        this.parser = new RequestParser(served, json);
    }

    void handle(Context ctx, Endpoint endpoint) throws Exception {
        GenerationRequest gr = parser.parse(ctx.body(), endpoint);
        ResponseBuilder rb = new ResponseBuilder(gr, served.tokenizer(), endpoint.idPrefix + UUID.randomUUID().toString().replace("-", ""));
        ctx.attribute(AccessLog.REQUEST_ID, rb.id());
        SequenceEvents events = new SequenceEvents();
        BatchEngine.Handle handle = submit(gr, events);
        Reply reply = new Reply(gr, rb);
        try {
            if (gr.stream()) stream(ctx, gr, rb, events, handle, reply);
            else answer(ctx, rb, events, reply);
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
            throw new ApiException(503, "api_error", null, "interrupted", "The request was interrupted.");
        } catch (RuntimeException | Error e) {
            handle.cancel();
            throw e;
        }
    }

    private BatchEngine.Handle submit(GenerationRequest gr, SequenceEvents events) {
        SequenceRequest sr = new SequenceRequest(gr.prompt(), gr.maxTokens(), gr.sampler(), gr.stop(),
                gr.policy().isEmpty() ? null : gr.policy(), gr.logprobs(), gr.trace() && gr.stream(), gr.trace());
        try {
            return engine.submit(sr, events);
        } catch (EngineBusyException e) {
            if (e.shuttingDown()) throw new ApiException(503, "api_error", null, "shutting_down", "The server is shutting down.");
            metrics.rejected();
            throw new ApiException(429, "rate_limit_error", null, "queue_full",
                    "The server is at capacity: " + e.getMessage() + ". Retry after the time in the Retry-After header.");
        } catch (ContextOverflowException e) {
            throw ApiException.invalid(gr.endpoint() == Endpoint.CHAT ? "messages" : "prompt", "context_length_exceeded", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("prompt", "invalid_value", e.getMessage());
        }
    }

    /** Text of the reply as it is decided: chat output goes through the format's reasoning splitter. */
    private final class Reply {
        final ReplySplitter splitter;
        final StringBuilder content = new StringBuilder();
        final StringBuilder reasoning = new StringBuilder();
        final List<GeneratedToken> tokens = new ArrayList<>();

        Reply(GenerationRequest gr, ResponseBuilder rb) {
            this.splitter = gr.endpoint() == Endpoint.CHAT
                    ? new ReplySplitter(served.format(), gr.renderedPrompt(), this::add) : null;
        }

        private void add(ReasoningParser.Delta d) {
            content.append(d.content());
            reasoning.append(d.reasoning());
        }

        void push(String text) {
            if (splitter != null) splitter.push(text);
            else content.append(text);
        }

        void end(String tail) {
            push(tail);
            if (splitter != null) splitter.finish();
        }

        String takeContent() {
            String s = content.toString();
            content.setLength(0);
            return s;
        }

        String takeReasoning() {
            String s = reasoning.toString();
            reasoning.setLength(0);
            return s;
        }
    }

    private void answer(Context ctx, ResponseBuilder rb, SequenceEvents events, Reply reply) throws InterruptedException {
        while (true) {
            SequenceEvents.Event e = events.poll(Long.MAX_VALUE);
            switch (e) {
                case SequenceEvents.Started s -> { }
                case SequenceEvents.Token t -> {
                    reply.tokens.add(t.token());
                    reply.push(t.token().text());
                }
                case SequenceEvents.Failed f -> throw failure(f.error());
                case SequenceEvents.Finished f -> {
                    SequenceResult r = f.result();
                    if (r.reason() == StopReason.CANCELLED) {
                        throw new ApiException(503, "api_error", null, "shutting_down", "The server stopped this request while shutting down.");
                    }
                    reply.end(r.tail());
                    ObjectNode body = rb.complete(r, reply.takeContent(), reply.takeReasoning(), reply.tokens);
                    AccessLog.record(ctx, r);
                    ctx.contentType("application/json").result(write(body));
                    return;
                }
            }
        }
    }

    private void stream(Context ctx, GenerationRequest gr, ResponseBuilder rb, SequenceEvents events, BatchEngine.Handle handle,
                        Reply reply) throws InterruptedException {
        SequenceEvents.Event first = events.poll(Long.MAX_VALUE);
        if (first instanceof SequenceEvents.Failed f) throw failure(f.error());
        if (first instanceof SequenceEvents.Finished f && f.result().reason() == StopReason.CANCELLED) {
            throw new ApiException(503, "api_error", null, "shutting_down", "The server stopped this request while shutting down.");
        }
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/event-stream");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        List<SequenceEvents.Event> batch = new ArrayList<>();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            ServletOutputStream out = res.getOutputStream();
            event(buf, rb.chunk("", "", List.of(), true, null));
            flush(out, buf);
            if (!(first instanceof SequenceEvents.Started)) batch.add(first);
            while (true) {
                if (batch.isEmpty()) {
                    SequenceEvents.Event e = events.poll(KEEP_ALIVE_MILLIS);
                    if (e == null) {
                        buf.writeBytes(": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
                        flush(out, buf);
                        continue;
                    }
                    batch.add(e);
                }
                events.drainTo(batch);
                boolean done = false;
                List<GeneratedToken> pending = new ArrayList<>();
                for (SequenceEvents.Event e : batch) {
                    switch (e) {
                        case SequenceEvents.Started s -> { }
                        case SequenceEvents.Token t -> {
                            reply.push(t.token().text());
                            pending.add(t.token());
                            // one chunk per token when the client wants per-token data, else per decided text
                            if (gr.trace() || gr.logprobs() >= 0 || !reply.content.isEmpty() || !reply.reasoning.isEmpty()) {
                                event(buf, rb.chunk(reply.takeContent(), reply.takeReasoning(), pending, false, null));
                                pending = new ArrayList<>();
                            }
                        }
                        case SequenceEvents.Failed f -> {
                            ApiException a = failure(f.error());
                            event(buf, a.body());
                            done = true;
                        }
                        case SequenceEvents.Finished f -> {
                            SequenceResult r = f.result();
                            reply.end(r.tail());
                            ObjectNode last = rb.chunk(reply.takeContent(), reply.takeReasoning(), pending, false, ResponseBuilder.finishReason(r.reason()));
                            last.set("usage", rb.usage(r));
                            last.set("moe4j", mergeExtension(last, rb.extension(r)));
                            event(buf, last);
                            if (gr.includeUsage()) event(buf, rb.usageChunk(r));
                            AccessLog.record(ctx, r);
                            done = true;
                        }
                    }
                    if (done) break;
                }
                batch.clear();
                if (done) {
                    buf.writeBytes("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
                    flush(out, buf);
                    return;
                }
                flush(out, buf);
            }
        } catch (IOException e) {
            // the client went away: stop generating for it
            handle.cancel();
            metrics.disconnected();
            ctx.attribute(AccessLog.CLIENT_GONE, true);
        }
    }

    private static ObjectNode mergeExtension(ObjectNode chunk, ObjectNode ext) {
        if (chunk.get("moe4j") instanceof ObjectNode existing) {
            existing.setAll(ext);
            return existing;
        }
        return ext;
    }

    private void event(ByteArrayOutputStream buf, ObjectNode o) {
        buf.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        buf.writeBytes(write(o).getBytes(StandardCharsets.UTF_8));
        buf.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void flush(ServletOutputStream out, ByteArrayOutputStream buf) throws IOException {
        buf.writeTo(out);
        buf.reset();
        out.flush();
    }

    private String write(ObjectNode o) {
        try {
            return json.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a failed sequence means for the client: a bad routing policy is its fault, anything else ours. */
    private static ApiException failure(RuntimeException e) {
        if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("routing policy failed")) {
            return ApiException.invalid("moe4j.policy", "invalid_value", e.getMessage());
        }
        return new ApiException(500, "api_error", null, "generation_failed", "Generation failed: " + e.getMessage());
    }
}
