package org.moe4j.chat;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a render needs besides the messages. Immutable; the {@code with...} methods return copies.
 *
 * @param addGenerationPrompt end the prompt with the opening of an assistant turn
 * @param tools tool definitions (OpenAI style, {@code {"type": "function", "function": {...}}}) as
 *     parsed JSON, or null for none; templates see null as an undefined {@code tools}
 * @param variables further template variables, e.g. {@code enable_thinking},
 *     {@code reasoning_effort}, {@code builtin_tools}, {@code date_string}
 * @param now the time {@code strftime_now} reports, or null for the current time
 */
public record RenderOptions(
        boolean addGenerationPrompt,
        List<Object> tools,
        Map<String, Object> variables,
        ZonedDateTime now) {

    public RenderOptions {
        tools = tools == null ? null : Collections.unmodifiableList(new ArrayList<>(tools));
        variables = variables == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    public static RenderOptions defaults() {
        return new RenderOptions(false, null, Map.of(), null);
    }

    public RenderOptions withGenerationPrompt(boolean add) {
        return new RenderOptions(add, tools, variables, now);
    }

    /** Tool definitions given as JSON text, one definition per string. */
    public RenderOptions withTools(List<String> toolJson) {
        List<Object> parsed = new ArrayList<>();
        for (String json : toolJson) {
            parsed.add(Json.parse(json));
        }
        return new RenderOptions(addGenerationPrompt, parsed, variables, now);
    }

    /** Tool definitions already parsed into maps and lists. */
    public RenderOptions withToolDefinitions(List<?> definitions) {
        return new RenderOptions(addGenerationPrompt, new ArrayList<>(definitions), variables, now);
    }

    /** One more template variable; values are strings, numbers, booleans, maps and lists. */
    public RenderOptions with(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(variables);
        copy.put(name, value);
        return new RenderOptions(addGenerationPrompt, tools, copy, now);
    }

    public RenderOptions withNow(ZonedDateTime time) {
        return new RenderOptions(addGenerationPrompt, tools, variables, time);
    }
}
