package org.moe4j.chat;

import java.util.Objects;

/**
 * A function call made by the assistant.
 *
 * @param id the call's id (OpenAI {@code tool_calls[].id}), or null when the model does not use ids
 * @param name the function's name
 * @param arguments the arguments as JSON text, normally an object
 */
public record ToolCall(String id, String name, String arguments) {

    public ToolCall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
