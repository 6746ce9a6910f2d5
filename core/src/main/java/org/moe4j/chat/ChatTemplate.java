package org.moe4j.chat;

import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TagCycleException;
import com.hubspot.jinjava.interpret.TemplateError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A model's Jinja chat template (GGUF key {@code tokenizer.chat_template}), rendered byte for byte
 * as Hugging Face's {@code apply_chat_template} renders it with Python's jinja2: the same variables
 * ({@code messages}, {@code tools} (None when there are none), {@code documents} (None),
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, extra variables), the same
 * globals ({@code raise_exception}, {@code strftime_now}) and the same errors.
 *
 * <p>Thread-safe: one instance may render many conversations concurrently.
 */
public final class ChatTemplate {

    /** Marks a global function as defined, so that {@code strftime_now is defined} holds as in Python. */
    private static final Object DEFINED_FUNCTION = new Object() {
        @Override
        public String toString() {
            return "<function>";
        }
    };

    private final String source;
    private final String resolvedSource;
    private final String bosToken;
    private final String eosToken;
    private volatile Boolean argumentsAsText;

    private ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = Objects.requireNonNull(source, "templateSource");
        this.resolvedSource = JinjaWhitespace.resolve(source);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    /**
     * @param templateSource the Jinja source
     * @param bosToken the text of the model's BOS token, or null for ""
     * @param eosToken the text of the model's EOS token, or null for ""
     * @throws ChatTemplateException if the source is not lexically valid Jinja (an unclosed tag)
     */
    public static ChatTemplate of(String templateSource, String bosToken, String eosToken) {
        return new ChatTemplate(templateSource, bosToken, eosToken);
    }

    public String source() {
        return source;
    }

    /**
     * Renders a conversation. Tool-call arguments are given to the template as a dict, or as JSON
     * text for templates that need text ({@link #wantsArgumentsAsText()}).
     *
     * @throws ChatTemplateException if the template raises (the message is then exactly the one given
     *     to {@code raise_exception}) or fails as Python's jinja2 would fail
     */
    public String render(List<ChatMessage> messages, RenderOptions options) {
        boolean asText = wantsArgumentsAsText();
        List<Object> values = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            values.add(message.toTemplateValue(asText));
        }
        return renderValues(values, options);
    }

    /**
     * Renders messages already shaped as template values: maps with OpenAI's message fields, as a
     * Hugging Face caller would pass them (null values are Python's None).
     *
     * @throws ChatTemplateException as {@link #render}
     */
    public String renderValues(List<?> messages, RenderOptions options) {
        AtomicReference<String> firstFailure = new AtomicReference<>();
        Map<String, Object> context = new LinkedHashMap<>();
        for (String name : TemplateFunctions.names()) {
            context.put(name, DEFINED_FUNCTION);
        }
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        options.variables().forEach((name, value) -> context.put(name, PythonValues.of(value)));
        context.put("messages", PythonValues.of(messages));
        context.put("tools", PythonValues.of(options.tools()));
        context.put("documents", PythonNone.NONE);
        context.put("add_generation_prompt", options.addGenerationPrompt());
        context.put(TemplateFunctions.NOW, options.now());
        context.put(RenderFailure.HOLDER, firstFailure);

        RenderResult result = JinjaEnvironment.jinjava().renderForResult(resolvedSource, context);
        // Python stops at the first error; Jinjava records errors in order and renders on.
        for (TemplateError error : result.getErrors()) {
            String message = failureMessage(error);
            if (message != null) {
                throw new ChatTemplateException(message, error.getException());
            }
        }
        if (firstFailure.get() != null) {
            throw new ChatTemplateException(firstFailure.get());
        }
        return result.getOutput();
    }

    /**
     * Whether this template expects tool-call arguments as JSON text rather than as a dict. Hugging
     * Face documents dicts, but some templates (DeepSeek V3.1, functionary) concatenate the arguments
     * as a string and fail on a dict. Found out once, by rendering a probe call both ways.
     */
    public boolean wantsArgumentsAsText() {
        Boolean known = argumentsAsText;
        if (known == null) {
            known = !rendersProbeArguments(false) && rendersProbeArguments(true);
            argumentsAsText = known;
        }
        return known;
    }

    private boolean rendersProbeArguments(boolean asText) {
        List<ChatMessage> probe = List.of(
                ChatMessage.user("probe"),
                ChatMessage.assistantToolCalls(null,
                        List.of(new ToolCall("call00001", "probe_function", "{\"probe_argument\": \"probe_value\"}"))),
                ChatMessage.tool("call00001", "probe_function", "probe_result"));
        List<Object> values = new ArrayList<>();
        for (ChatMessage message : probe) {
            values.add(message.toTemplateValue(asText));
        }
        try {
            return renderValues(values, RenderOptions.defaults()).contains("probe_argument");
        } catch (ChatTemplateException e) {
            return false;
        }
    }

    /** The message Python would have raised for this recorded error, or null if it is none there. */
    private static String failureMessage(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof ChatTemplateException raised) {
                return raised.getMessage();
            }
            if (t instanceof TagCycleException || t instanceof StackOverflowError) {
                return "maximum recursion depth exceeded";
            }
        }
        if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
            return "chat template failed at line " + error.getLineno() + ": " + error.getMessage();
        }
        return null;
    }
}
