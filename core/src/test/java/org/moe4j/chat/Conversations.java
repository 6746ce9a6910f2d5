package org.moe4j.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test conversations (src/test/resources/chat/conversations/*.json) and the shared templates. */
final class Conversations {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The "now" every test render uses, so that strftime_now is reproducible. */
    static final ZonedDateTime NOW = ZonedDateTime.of(2025, 3, 14, 9, 26, 53, 0, ZoneOffset.UTC);

    private Conversations() {}

    static Path templatesDir() {
        return org.moe4j.testing.SharedData.conformance().resolve("templates");
    }

    static String template(String name) {
        try {
            return Files.readString(templatesDir().resolve(name + ".jinja"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String path) {
        try (InputStream in = Conversations.class.getResourceAsStream("/chat/" + path)) {
            if (in == null) {
                return null;
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> conversation(String name) {
        try {
            return JSON.readValue(resource("conversations/" + name + ".json"), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static ChatTemplate chatTemplate(String templateName) {
        try {
            Map<String, List<String>> tokens = JSON.readValue(resource("special_tokens.json"), Map.class);
            List<String> pair = tokens.get(templateName);
            return ChatTemplate.of(template(templateName), pair.get(0), pair.get(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static RenderOptions options(Map<String, Object> conversation) {
        RenderOptions options = RenderOptions.defaults()
                .withGenerationPrompt(Boolean.TRUE.equals(conversation.get("add_generation_prompt")))
                .withNow(NOW);
        if (conversation.get("tools") != null) {
            options = options.withToolDefinitions((List<Object>) conversation.get("tools"));
        }
        Map<String, Object> extra = (Map<String, Object>) conversation.getOrDefault("extra", Map.of());
        for (Map.Entry<String, Object> variable : extra.entrySet()) {
            options = options.with(variable.getKey(), variable.getValue());
        }
        return options;
    }

    @SuppressWarnings("unchecked")
    static List<Object> messageValues(Map<String, Object> conversation) {
        return (List<Object>) conversation.get("messages");
    }

    /** The conversation's messages as {@link ChatMessage}s. */
    @SuppressWarnings("unchecked")
    static List<ChatMessage> messages(Map<String, Object> conversation) {
        List<ChatMessage> out = new ArrayList<>();
        for (Object value : messageValues(conversation)) {
            Map<String, Object> m = (Map<String, Object>) value;
            List<ToolCall> calls = new ArrayList<>();
            for (Object c : (List<Object>) m.getOrDefault("tool_calls", List.of())) {
                Map<String, Object> call = (Map<String, Object>) c;
                Map<String, Object> function = (Map<String, Object>) call.get("function");
                Object arguments = function.get("arguments");
                try {
                    String text = arguments instanceof String s ? s : JSON.writeValueAsString(arguments);
                    calls.add(new ToolCall((String) call.get("id"), (String) function.get("name"), text));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            out.add(new ChatMessage(
                    (String) m.get("role"),
                    (String) m.get("content"),
                    (String) m.get("reasoning_content"),
                    calls,
                    (String) m.get("tool_call_id"),
                    (String) m.get("name")));
        }
        return out;
    }
}
