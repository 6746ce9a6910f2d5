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
 * A model's Jinja chat template (GGUF key {@code tokenizer.chat_template}), rendered the way Hugging
 * Face's {@code apply_chat_template} renders it with Python's jinja2, byte for byte.
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
   * @throws ChatTemplateException if the source is not lexically valid Jinja (an unclosed tag)
   * @param bosToken the text of the model's BOS token, or null for ""
   * @param eosToken the text of the model's EOS token, or null for ""
   */
  public static ChatTemplate of(String templateSource, String bosToken, String eosToken) {
    return new ChatTemplate(templateSource, bosToken, eosToken);
  }

  public String source() {
    return source;
  }

  /**
   * Renders the conversation.
   *
   * @throws ChatTemplateException if the template raises (its message is the exception's message) or
   *     fails to render
   */
  public String render(List<ChatMessage> messages, RenderOptions options) {
    boolean argumentsAsText = wantsArgumentsAsText();
    List<Object> messageValues = new ArrayList<>(messages.size());
    for (ChatMessage message : messages) {
      messageValues.add(message.toTemplateValue(argumentsAsText));
    }
    return renderValues(messageValues, options);
  }

  /** The message Python would have raised for this recorded error, or null if it is not an error there. */
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

  /**
   * Whether this template expects tool-call arguments as JSON text rather than as a dict. Hugging
   * Face documents dicts, but some templates (DeepSeek, functionary) concatenate the arguments as a
   * string and fail on a dict. Found out once, by rendering a probe call both ways.
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

  /** Renders messages already shaped as template values (maps of OpenAI message fields). */
  public String renderValues(List<?> messages, RenderOptions options) {
    AtomicReference<String> raised = new AtomicReference<>();
    Map<String, Object> context = new LinkedHashMap<>();
    for (String name : TemplateFunctions.names()) {
      context.put(name, DEFINED_FUNCTION);
    }
    context.put("bos_token", bosToken);
    context.put("eos_token", eosToken);
    options.variables().forEach((name, value) -> context.put(name, PythonValues.of(value)));
    context.put("messages", PythonValues.of(messages));
    // Hugging Face passes None, not nothing, when there are no tools or documents.
    context.put("tools", PythonValues.of(options.tools()));
    context.put("documents", PythonNone.NONE);
    context.put("add_generation_prompt", options.addGenerationPrompt());
    context.put(TemplateFunctions.NOW, options.now());
    context.put(RenderFailure.HOLDER, raised);

    RenderResult result = JinjaEnvironment.jinjava().renderForResult(resolvedSource, context);
    // Python stops at the first error; Jinjava records errors in order and renders on.
    for (TemplateError error : result.getErrors()) {
      String message = failureMessage(error);
      if (message != null) {
        throw new ChatTemplateException(message, error.getException());
      }
    }
    if (raised.get() != null) {
      throw new ChatTemplateException(raised.get());
    }
    return result.getOutput();
  }
}
