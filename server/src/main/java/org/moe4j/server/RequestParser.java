package org.moe4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.moe4j.api.ChatSession;
import org.moe4j.chat.ChatMessage;
import org.moe4j.chat.ChatTemplateException;
import org.moe4j.chat.RenderOptions;
import org.moe4j.chat.ToolCall;
import org.moe4j.generate.SamplerConfig;
import org.moe4j.moe.policy.CompositePolicy;
import org.moe4j.moe.policy.RoutingPolicies;

/**
 * Turns the JSON body of an OpenAI-style request into a {@link GenerationRequest}, checking every field
 * the way OpenAI's API does and refusing what this server cannot honour (rather than silently ignoring
 * it). Every refusal is an {@link ApiException} naming the offending field.
 */
final class RequestParser {
    /** Completions default to 16 tokens, as OpenAI's legacy endpoint does; chat runs until the model stops. */
    static final int COMPLETION_DEFAULT_MAX_TOKENS = 16;
    private static final int MAX_STOP_STRINGS = 4;
    private static final int MAX_TOP_LOGPROBS = 20;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Set<String> MOE4J_KEYS = Set.of("policy", "trace");

    private final ServedModel served;
    private final ObjectMapper json;

    RequestParser(ServedModel served, ObjectMapper json) {
        this.served = served;
        this.json = json;
    }

    GenerationRequest parse(String body, Endpoint endpoint) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "invalid_json", "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage() + ". The body must be a JSON object.");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        String model = optionalString(root, "model");
        if (model != null && !model.equals(served.id())) {
            throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                    "The model '" + model + "' does not exist. This server serves '" + served.id() + "' (see GET /v1/models).");
        }
        requireOne(root, "n");
        requireOne(root, "best_of");
        requireZero(root, "frequency_penalty");
        requireZero(root, "presence_penalty");
        if (root.hasNonNull("logit_bias") && !root.get("logit_bias").isEmpty()) {
            throw unsupported("logit_bias", "logit_bias is not supported by this server.");
        }

        String rendered;
        int[] prompt;
        List<String> stop = new ArrayList<>(stops(root));
        int logprobs;
        if (endpoint == Endpoint.CHAT) {
            if (root.hasNonNull("tools") && !root.get("tools").isEmpty()) {
                throw unsupported("tools", "tool calling is not supported by this server's API.");
            }
            List<ChatMessage> messages = messages(root.get("messages"));
            try {
                rendered = served.template().render(messages, RenderOptions.defaults().withGenerationPrompt(true));
            } catch (ChatTemplateException e) {
                throw ApiException.invalid("messages", "invalid_messages", "The model's chat template refused the conversation: " + e.getMessage());
            }
            prompt = ChatSession.tokenizeRendered(served.tokenizer(), rendered);
            for (String s : served.format().stopStrings()) if (!stop.contains(s)) stop.add(s);
            logprobs = chatLogprobs(root);
            responseFormat(root);
        } else {
            if (root.hasNonNull("echo") && root.get("echo").asBoolean()) throw unsupported("echo", "echo is not supported by this server.");
            if (root.hasNonNull("suffix")) throw unsupported("suffix", "suffix is not supported by this server.");
            Object p = completionPrompt(root.get("prompt"));
            if (p instanceof String text) {
                rendered = text;
                prompt = served.tokenizer().encode(text, true, true);
            } else {
                prompt = checkVocabulary((int[]) p);
                rendered = served.tokenizer().decode(prompt);
            }
            logprobs = completionLogprobs(root);
        }
        if (prompt.length == 0) {
            throw ApiException.invalid(endpoint == Endpoint.CHAT ? "messages" : "prompt", "invalid_value", "The prompt is empty.");
        }
        int ctx = served.contextLength();
        String promptParam = endpoint == Endpoint.CHAT ? "messages" : "prompt";
        if (prompt.length >= ctx) {
            throw ApiException.invalid(promptParam, "context_length_exceeded", "This model's maximum context length is " + ctx
                    + " tokens. However, your " + (endpoint == Endpoint.CHAT ? "messages" : "prompt") + " resulted in "
                    + prompt.length + " tokens, leaving no room for a reply.");
        }
        int maxTokens = maxTokens(root, endpoint);
        if (maxTokens > 0 && (long) prompt.length + maxTokens > ctx) {
            throw ApiException.invalid(root.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", "context_length_exceeded",
                    "This model's maximum context length is " + ctx + " tokens. However, you requested " + ((long) prompt.length + maxTokens)
                            + " tokens (" + prompt.length + " in the prompt, " + maxTokens + " for the completion). "
                            + "Please reduce the length of the prompt or the completion.");
        }
        if (maxTokens == -1 && endpoint == Endpoint.COMPLETION) maxTokens = Math.min(COMPLETION_DEFAULT_MAX_TOKENS, ctx - prompt.length);

        boolean stream = optionalBoolean(root, "stream", false);
        boolean includeUsage = false;
        if (root.hasNonNull("stream_options")) {
            JsonNode so = root.get("stream_options");
            if (!so.isObject()) throw ApiException.invalid("stream_options", "invalid_type", "stream_options must be an object.");
            if (!stream) throw ApiException.invalid("stream_options", "invalid_value", "stream_options is only allowed when stream is true.");
            includeUsage = optionalBoolean(so, "include_usage", false);
        }

        Moe4jOptions ext = moe4j(root.get("moe4j"));
        return new GenerationRequest(endpoint, served.id(), rendered, prompt, maxTokens, sampler(root), List.copyOf(stop), logprobs,
                stream, includeUsage, ext.policy(), ext.trace());
    }

    private record Moe4jOptions(CompositePolicy policy, boolean trace) {
    }

    private Moe4jOptions moe4j(JsonNode n) {
        List<String> specs = served.defaultPolicy();
        boolean trace = false;
        if (n != null && !n.isNull()) {
            if (!n.isObject()) throw ApiException.invalid("moe4j", "invalid_type", "moe4j must be an object, e.g. {\"policy\": [\"top-k=2\"], \"trace\": true}.");
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!MOE4J_KEYS.contains(k)) {
                    throw ApiException.invalid("moe4j." + k, "unknown_parameter", "Unknown moe4j option '" + k + "' (known: policy, trace).");
                }
            }
            JsonNode p = n.get("policy");
            if (p != null && !p.isNull()) {
                specs = new ArrayList<>();
                if (p.isTextual()) {
                    specs.add(p.asText());
                } else if (p.isArray()) {
                    for (JsonNode s : p) {
                        if (!s.isTextual()) throw ApiException.invalid("moe4j.policy", "invalid_type", "moe4j.policy must be a string or an array of strings.");
                        specs.add(s.asText());
                    }
                } else {
                    throw ApiException.invalid("moe4j.policy", "invalid_type", "moe4j.policy must be a string or an array of strings.");
                }
            }
            if (n.hasNonNull("trace")) {
                if (!n.get("trace").isBoolean()) throw ApiException.invalid("moe4j.trace", "invalid_type", "moe4j.trace must be a boolean.");
                trace = n.get("trace").asBoolean();
            }
        }
        try {
            return new Moe4jOptions(RoutingPolicies.parse(specs), trace);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("moe4j.policy", "invalid_value", "Invalid routing policy: " + e.getMessage());
        }
    }

    private SamplerConfig sampler(JsonNode root) {
        double temperature = optionalNumber(root, "temperature", 1.0);
        if (!(temperature >= 0 && temperature <= 2)) {
            throw ApiException.invalid("temperature", "invalid_value", temperature + " is not a valid temperature: it must be between 0 and 2.");
        }
        double topP = optionalNumber(root, "top_p", 1.0);
        if (!(topP >= 0 && topP <= 1)) {
            throw ApiException.invalid("top_p", "invalid_value", topP + " is not a valid top_p: it must be between 0 and 1.");
        }
        long seed;
        if (root.hasNonNull("seed")) {
            JsonNode s = root.get("seed");
            if (!s.isIntegralNumber() || !s.canConvertToLong()) throw ApiException.invalid("seed", "invalid_type", "seed must be an integer.");
            seed = s.asLong();
        } else {
            seed = ThreadLocalRandom.current().nextLong();
        }
        // top_p 0 keeps only the most likely token, as OpenAI's API treats it
        float p = topP == 0 ? Float.MIN_VALUE : (float) topP;
        return new SamplerConfig((float) temperature, 0, p, 0f, 1f, 64, seed);
    }

    private static int maxTokens(JsonNode root, Endpoint endpoint) {
        String name = root.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) return -1;
        if (!n.isIntegralNumber()) throw ApiException.invalid(name, "invalid_type", name + " must be an integer.");
        if (!n.canConvertToInt() || n.asInt() < 1) {
            throw ApiException.invalid(name, "invalid_value", n.asText() + " is not a valid " + name + ": it must be a positive integer "
                    + "no larger than the context length.");
        }
        return n.asInt();
    }

    private static List<String> stops(JsonNode root) {
        JsonNode n = root.get("stop");
        if (n == null || n.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            for (JsonNode s : n) {
                if (!s.isTextual()) throw ApiException.invalid("stop", "invalid_type", "stop must be a string or an array of strings.");
                out.add(s.asText());
            }
        } else {
            throw ApiException.invalid("stop", "invalid_type", "stop must be a string or an array of strings.");
        }
        if (out.size() > MAX_STOP_STRINGS) throw ApiException.invalid("stop", "invalid_value", "At most " + MAX_STOP_STRINGS + " stop sequences are allowed.");
        for (String s : out) if (s.isEmpty()) throw ApiException.invalid("stop", "invalid_value", "Stop sequences must not be empty.");
        return out;
    }

    private List<ChatMessage> messages(JsonNode n) {
        if (n == null || n.isNull()) throw ApiException.invalid("messages", "missing_required_parameter", "Missing required parameter: 'messages'.");
        if (!n.isArray() || n.isEmpty()) throw ApiException.invalid("messages", "invalid_value", "messages must be a non-empty array.");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode m = n.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.invalid(where, "invalid_type", where + " must be an object.");
            JsonNode roleNode = m.get("role");
            if (roleNode == null || !roleNode.isTextual()) throw ApiException.invalid(where + ".role", "missing_required_parameter", where + " needs a role.");
            String role = roleNode.asText();
            if (!ROLES.contains(role)) {
                throw ApiException.invalid(where + ".role", "invalid_value", "'" + role + "' is not a valid role (system, developer, user, assistant, tool).");
            }
            String content = content(m.get("content"), where + ".content", role);
            List<ToolCall> calls = new ArrayList<>();
            if (m.hasNonNull("tool_calls") && role.equals("assistant")) {
                for (JsonNode c : m.get("tool_calls")) {
                    JsonNode f = c.get("function");
                    if (f == null || !f.hasNonNull("name")) throw ApiException.invalid(where + ".tool_calls", "invalid_value", "Each tool call needs a function name.");
                    calls.add(new ToolCall(optionalString(c, "id"), f.get("name").asText(),
                            f.hasNonNull("arguments") ? f.get("arguments").asText() : "{}"));
                }
            }
            String reasoning = role.equals("assistant") ? optionalString(m, "reasoning_content") : null;
            out.add(new ChatMessage(role, content, reasoning, calls, optionalString(m, "tool_call_id"), optionalString(m, "name")));
        }
        return out;
    }

    private static String content(JsonNode c, String where, String role) {
        if (c == null || c.isNull()) {
            if (role.equals("assistant")) return null;
            throw ApiException.invalid(where, "missing_required_parameter", where + " is required for role '" + role + "'.");
        }
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : c) {
                String type = part.hasNonNull("type") ? part.get("type").asText() : "";
                if (!type.equals("text") || !part.hasNonNull("text")) {
                    throw ApiException.invalid(where, "invalid_value", "Only text content parts are supported (got type '" + type + "').");
                }
                b.append(part.get("text").asText());
            }
            return b.toString();
        }
        throw ApiException.invalid(where, "invalid_type", where + " must be a string or an array of text parts.");
    }

    private static int chatLogprobs(JsonNode root) {
        boolean want = optionalBoolean(root, "logprobs", false);
        JsonNode top = root.get("top_logprobs");
        if (top == null || top.isNull()) return want ? 0 : -1;
        if (!top.isIntegralNumber() || top.asInt() < 0 || top.asInt() > MAX_TOP_LOGPROBS) {
            throw ApiException.invalid("top_logprobs", "invalid_value", "top_logprobs must be an integer between 0 and " + MAX_TOP_LOGPROBS + ".");
        }
        if (!want) throw ApiException.invalid("top_logprobs", "invalid_value", "top_logprobs requires logprobs to be true.");
        return top.asInt();
    }

    private static int completionLogprobs(JsonNode root) {
        JsonNode n = root.get("logprobs");
        if (n == null || n.isNull()) return -1;
        if (!n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > 5) {
            throw ApiException.invalid("logprobs", "invalid_value", "logprobs must be an integer between 0 and 5.");
        }
        return n.asInt();
    }

    /** Checks response_format: only plain text output is offered. */
    private static boolean responseFormat(JsonNode root) {
        JsonNode f = root.get("response_format");
        if (f == null || f.isNull()) return false;
        if (!f.isObject() || !f.hasNonNull("type")) {
            throw ApiException.invalid("response_format", "invalid_value", "response_format must be an object with a type.");
        }
        String type = f.get("type").asText();
        return switch (type) {
            case "text" -> false;
            case "json_object", "json_schema" -> throw unsupported("response_format",
                    "response_format " + type + " is not supported by this server: output is not constrained to JSON.");
            default -> throw ApiException.invalid("response_format", "invalid_value", "'" + type + "' is not a valid response_format type (text, json_object).");
        };
    }

    /** A text prompt, or token ids. */
    private static Object completionPrompt(JsonNode p) {
        if (p == null || p.isNull()) throw ApiException.invalid("prompt", "missing_required_parameter", "Missing required parameter: 'prompt'.");
        if (p.isTextual()) return p.asText();
        if (p.isArray()) {
            ArrayNode a = (ArrayNode) p;
            if (a.size() == 1 && a.get(0).isTextual()) return a.get(0).asText();
            if (!a.isEmpty() && a.get(0).isArray()) {
                throw unsupported("prompt", "Several prompts in one request are not supported (n = 1); send one request per prompt.");
            }
            if (a.size() > 1 && a.get(0).isTextual()) {
                throw unsupported("prompt", "Several prompts in one request are not supported (n = 1); send one request per prompt.");
            }
            int[] ids = new int[a.size()];
            for (int i = 0; i < ids.length; i++) {
                if (!a.get(i).isIntegralNumber() || !a.get(i).canConvertToInt()) {
                    throw ApiException.invalid("prompt", "invalid_type", "prompt must be a string, an array with one string, or an array of token ids.");
                }
                ids[i] = a.get(i).asInt();
            }
            return ids;
        }
        throw ApiException.invalid("prompt", "invalid_type", "prompt must be a string, an array with one string, or an array of token ids.");
    }

    private int[] checkVocabulary(int[] ids) {
        int vocab = Math.min(served.llm().model().vocabSize(), served.tokenizer().vocabSize());
        for (int id : ids) {
            if (id < 0 || id >= vocab) throw ApiException.invalid("prompt", "invalid_value", "Token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ").");
        }
        return ids;
    }

    private static void requireOne(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) return;
        if (!n.isIntegralNumber()) throw ApiException.invalid(name, "invalid_type", name + " must be an integer.");
        if (n.asLong() != 1) throw unsupported(name, name + " = " + n.asText() + " is not supported: this server returns one choice per request (" + name + " = 1).");
    }

    private static void requireZero(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) return;
        if (!n.isNumber()) throw ApiException.invalid(name, "invalid_type", name + " must be a number.");
        if (n.asDouble() != 0) throw unsupported(name, name + " is not supported by this server (only 0).");
    }

    private static ApiException unsupported(String param, String message) {
        return ApiException.invalid(param, "unsupported_parameter", message);
    }

    private static String optionalString(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiException.invalid(name, "invalid_type", name + " must be a string.");
        return v.asText();
    }

    private static boolean optionalBoolean(JsonNode n, String name, boolean dflt) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw ApiException.invalid(name, "invalid_type", name + " must be a boolean.");
        return v.asBoolean();
    }

    private static double optionalNumber(JsonNode n, String name, double dflt) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw ApiException.invalid(name, "invalid_type", name + " must be a number.");
        return v.asDouble();
    }
}
