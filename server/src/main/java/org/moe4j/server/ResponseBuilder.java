package org.moe4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.moe4j.generate.GeneratedToken;
import org.moe4j.generate.RoutingSummary;
import org.moe4j.generate.SequenceResult;
import org.moe4j.generate.StopReason;
import org.moe4j.generate.TokenLogprob;
import org.moe4j.generate.TokenRouting;
import org.moe4j.tokenizer.Tokenizer;

/** The JSON objects of one request's responses, shaped as OpenAI's API shapes them. */
final class ResponseBuilder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final GenerationRequest request;
    private final Tokenizer tokenizer;
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private int textOffset;

    ResponseBuilder(GenerationRequest request, Tokenizer tokenizer, String id) {
        this.request = request;
        this.tokenizer = tokenizer;
        this.id = id;
    }

    String id() {
        return id;
    }

    static String finishReason(StopReason r) {
        return switch (r) {
            case END_OF_TEXT, STOP_STRING, CANCELLED -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    private ObjectNode envelope(boolean chunk) {
        ObjectNode o = F.objectNode();
        o.put("id", id);
        o.put("object", request.endpoint().object + (chunk && request.endpoint() == Endpoint.CHAT ? ".chunk" : ""));
        o.put("created", created);
        o.put("model", request.model());
        o.putNull("system_fingerprint");
        return o;
    }

    /** A streamed piece: text (chat: answer and reasoning), the tokens it came with, and the end when it is the last. */
    ObjectNode chunk(String content, String reasoning, List<GeneratedToken> tokens, boolean first, String finishReason) {
        ObjectNode o = envelope(true);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (request.endpoint() == Endpoint.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (first) delta.put("role", "assistant");
            if (!content.isEmpty() || first) delta.put("content", content);
            if (!reasoning.isEmpty()) delta.put("reasoning_content", reasoning);
            putLogprobs(choice, tokens);
        } else {
            choice.put("text", content);
            putLogprobs(choice, tokens);
        }
        if (finishReason == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finishReason);
        if (request.trace() && !tokens.isEmpty()) {
            ArrayNode routing = F.arrayNode();
            for (GeneratedToken t : tokens) if (t.routing() != null) routing.add(routing(t));
            if (!routing.isEmpty()) o.putObject("moe4j").set("routing", routing);
        }
        return o;
    }

    /** The usage-only chunk of {@code stream_options.include_usage}. */
    ObjectNode usageChunk(SequenceResult r) {
        ObjectNode o = envelope(true);
        o.putArray("choices");
        o.set("usage", usage(r));
        return o;
    }

    /** The whole response of a request that did not stream. */
    ObjectNode complete(SequenceResult r, String content, String reasoning, List<GeneratedToken> tokens) {
        ObjectNode o = envelope(false);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (request.endpoint() == Endpoint.CHAT) {
            ObjectNode msg = choice.putObject("message");
            msg.put("role", "assistant");
            msg.put("content", content);
            if (!reasoning.isEmpty()) msg.put("reasoning_content", reasoning);
            msg.putNull("refusal");
        } else {
            choice.put("text", content);
        }
        textOffset = 0;
        putLogprobs(choice, request.logprobs() >= 0 ? tokens : List.of());
        if (request.logprobs() < 0) choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(r.reason()));
        o.set("usage", usage(r));
        o.set("moe4j", extension(r));
        return o;
    }

    ObjectNode usage(SequenceResult r) {
        ObjectNode u = F.objectNode();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.generatedTokens());
        u.put("total_tokens", r.promptTokens() + r.generatedTokens());
        return u;
    }

    /** What moe4j adds to a finished response: the policy, timings and, when traced, the routing summary. */
    ObjectNode extension(SequenceResult r) {
        ObjectNode m = F.objectNode();
        m.put("policy", request.policy().toString());
        m.put("queue_ms", r.queuedNanos() / 1e6);
        m.put("time_to_first_token_ms", r.firstTokenNanos() / 1e6);
        m.put("total_ms", r.totalNanos() / 1e6);
        if (r.routing() != null) m.set("routing_summary", summary(r.routing()));
        return m;
    }

    static ObjectNode summary(RoutingSummary s) {
        ObjectNode o = F.objectNode();
        o.put("average_active_experts", s.averageActive());
        ArrayNode layers = o.putArray("layers");
        int[] ids = s.layers();
        for (int i = 0; i < ids.length; i++) {
            ObjectNode l = layers.addObject();
            l.put("layer", ids[i]);
            l.put("tokens", s.tokens(i));
            l.put("average_active_experts", s.averageActive(i));
            ArrayNode c = l.putArray("expert_counts");
            for (long v : s.expertCounts(i)) c.add(v);
        }
        return o;
    }

    private ObjectNode routing(GeneratedToken t) {
        TokenRouting r = t.routing();
        ObjectNode o = F.objectNode();
        o.put("index", t.index());
        o.put("token", t.token());
        o.put("position", r.position());
        ArrayNode layers = o.putArray("layers");
        for (int l : r.layers()) layers.add(l);
        ArrayNode experts = o.putArray("experts");
        ArrayNode weights = o.putArray("weights");
        for (int i = 0; i < r.layers().length; i++) {
            ArrayNode e = experts.addArray();
            for (int x : r.experts()[i]) e.add(x);
            ArrayNode w = weights.addArray();
            for (float x : r.weights()[i]) w.add(Math.round(x * 1e4) / 1e4);
        }
        return o;
    }

    private void putLogprobs(ObjectNode choice, List<GeneratedToken> tokens) {
        if (request.logprobs() < 0) {
            choice.putNull("logprobs");
            return;
        }
        if (request.endpoint() == Endpoint.CHAT) {
            ArrayNode content = choice.putObject("logprobs").putArray("content");
            for (GeneratedToken t : tokens) {
                TokenLogprob lp = t.logprob();
                ObjectNode e = tokenEntry(lp.token(), lp.logprob());
                ArrayNode top = e.putArray("top_logprobs");
                for (int i = 0; i < lp.topTokens().length; i++) top.add(tokenEntry(lp.topTokens()[i], lp.topLogprobs()[i]));
                content.add(e);
            }
        } else {
            ObjectNode l = choice.putObject("logprobs");
            ArrayNode toks = l.putArray("tokens");
            ArrayNode lps = l.putArray("token_logprobs");
            ArrayNode tops = l.putArray("top_logprobs");
            ArrayNode offsets = l.putArray("text_offset");
            for (GeneratedToken t : tokens) {
                TokenLogprob lp = t.logprob();
                String text = text(lp.token());
                toks.add(text);
                lps.add(lp.logprob());
                ObjectNode top = tops.addObject();
                for (int i = 0; i < lp.topTokens().length; i++) top.put(text(lp.topTokens()[i]), lp.topLogprobs()[i]);
                offsets.add(textOffset);
                textOffset += text.length();
            }
        }
    }

    private ObjectNode tokenEntry(int token, float logprob) {
        ObjectNode e = F.objectNode();
        byte[] b = tokenizer.tokenBytes(token);
        e.put("token", new String(b, StandardCharsets.UTF_8));
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte x : b) bytes.add(x & 0xff);
        return e;
    }

    private String text(int token) {
        return new String(tokenizer.tokenBytes(token), StandardCharsets.UTF_8);
    }
}
