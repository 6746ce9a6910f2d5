package org.moe4j.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation, shaped like an OpenAI chat message.
 *
 * @param role "system", "developer", "user", "assistant" or "tool"
 * @param content the text, or null (an assistant message that only calls tools)
 * @param reasoning the assistant's thinking, or null; templates read it as {@code reasoning_content}
 *     (Qwen, DeepSeek, GLM...) or as {@code thinking} (gpt-oss), so it is given under both names
 * @param toolCalls calls made by an assistant message; empty otherwise
 * @param toolCallId for a tool result, the id of the call it answers, or null
 * @param name for a tool result, the function's name, or null
 */
public record ChatMessage(
        String role,
        String content,
        String reasoning,
        List<ToolCall> toolCalls,
        String toolCallId,
        String name) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, null, List.of(), null, null);
    }

    public static ChatMessage developer(String content) {
        return new ChatMessage("developer", content, null, List.of(), null, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, null, List.of(), null, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, null, List.of(), null, null);
    }

    public static ChatMessage assistant(String content, String reasoning) {
        return new ChatMessage("assistant", content, reasoning, List.of(), null, null);
    }

    public static ChatMessage assistantToolCalls(String content, List<ToolCall> calls) {
        return new ChatMessage("assistant", content, null, calls, null, null);
    }

    public static ChatMessage tool(String toolCallId, String name, String content) {
        return new ChatMessage("tool", content, null, List.of(), toolCallId, name);
    }

    /**
     * The message as templates see it: a dict with OpenAI's keys. Optional parts that are absent are
     * left out, which is what templates test with {@code is defined}. Missing content becomes "" rather
     * than None or nothing: most templates concatenate content without checking it, and with "" every
     * template in the conformance set renders a tool-calling turn.
     *
     * @param argumentsAsText give tool-call arguments as JSON text instead of a dict
     */
    Map<String, Object> toTemplateValue(boolean argumentsAsText) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", role);
        out.put("content", content == null ? "" : content);
        if (reasoning != null) {
            out.put("reasoning_content", reasoning);
            out.put("thinking", reasoning);
        }
        if (!toolCalls.isEmpty()) {
            List<Object> calls = new ArrayList<>();
            for (ToolCall call : toolCalls) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", call.name());
                function.put("arguments", argumentsAsText ? call.arguments() : Json.parseArguments(call.arguments()));
                Map<String, Object> entry = new LinkedHashMap<>();
                if (call.id() != null) {
                    entry.put("id", call.id());
                }
                entry.put("type", "function");
                entry.put("function", function);
                calls.add(entry);
            }
            out.put("tool_calls", calls);
        }
        if (toolCallId != null) {
            out.put("tool_call_id", toolCallId);
        }
        if (name != null) {
            out.put("name", name);
        }
        return out;
    }
}
