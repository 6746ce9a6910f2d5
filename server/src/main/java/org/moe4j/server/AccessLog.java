package org.moe4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.PrintStream;
import java.time.Instant;
import org.moe4j.generate.SequenceResult;

/**
 * One JSON line per request: time, client, method, path, status, duration and, for generation requests,
 * the request id, token counts, finish reason, queue time and time to first token.
 */
final class AccessLog {
    static final String REQUEST_ID = "moe4j.request_id";
    static final String RESULT = "moe4j.result";
    static final String CLIENT_GONE = "moe4j.client_gone";

    private final PrintStream out;
    private final ObjectMapper json;

    /** @param out where lines go, or null for no access log */
    AccessLog(PrintStream out, ObjectMapper json) {
        this.out = out;
        this.json = json;
    }

    static void record(Context ctx, SequenceResult r) {
        ctx.attribute(RESULT, r);
    }

    void log(Context ctx, float millis) {
        if (out == null) return;
        ObjectNode o = json.createObjectNode();
        o.put("time", Instant.now().toString());
        o.put("remote", ctx.ip());
        o.put("method", ctx.method().name());
        o.put("path", ctx.path());
        o.put("status", ctx.statusCode());
        o.put("ms", Math.round(millis * 10) / 10.0);
        String id = ctx.attribute(REQUEST_ID);
        if (id != null) o.put("id", id);
        SequenceResult r = ctx.attribute(RESULT);
        if (r != null) {
            o.put("prompt_tokens", r.promptTokens());
            o.put("completion_tokens", r.generatedTokens());
            o.put("finish", r.reason().name().toLowerCase(java.util.Locale.ROOT));
            o.put("queue_ms", Math.round(r.queuedNanos() / 1e5) / 10.0);
            o.put("ttft_ms", Math.round(r.firstTokenNanos() / 1e5) / 10.0);
        }
        if (Boolean.TRUE.equals(ctx.attribute(CLIENT_GONE))) o.put("client_disconnected", true);
        try {
            String line = json.writeValueAsString(o);
            synchronized (out) {
                out.println(line);
            }
        } catch (java.io.IOException e) {
            // a log line that cannot be written is not worth failing a request for
        }
    }
}
