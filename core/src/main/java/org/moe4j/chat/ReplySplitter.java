package org.moe4j.chat;

import java.util.function.Consumer;

/**
 * Splits a model's streamed output into the answer and its reasoning, as the chat format dictates:
 * thinking tags ({@link ReasoningParser}), gpt-oss's harmony channels ({@link HarmonyParser}: {@code final}
 * is the answer, {@code analysis} the reasoning), or plain text. Not thread-safe; one per reply.
 */
public final class ReplySplitter {
    private final Consumer<ReasoningParser.Delta> sink;
    private final ReasoningParser reasoning;
    private final HarmonyParser harmony;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder thought = new StringBuilder();

    /**
     * @param renderedPrompt the prompt the reply continues (it tells whether the reply starts inside reasoning)
     * @param sink           receives each non-empty piece as it is decided, or null
     */
    public ReplySplitter(ChatFormat format, String renderedPrompt, Consumer<ReasoningParser.Delta> sink) {
        this.sink = sink;
        this.harmony = format.output() == ChatFormat.Output.HARMONY ? new HarmonyParser() : null;
        this.reasoning = format.output() == ChatFormat.Output.REASONING_TAGS ? format.reasoningParser(renderedPrompt) : null;
    }

    public void push(String text) {
        if (harmony != null) {
            harmony.push(text).forEach(this::harmonyDelta);
        } else if (reasoning != null) {
            emit(reasoning.push(text));
        } else {
            emit(new ReasoningParser.Delta("", text));
        }
    }

    /** Releases whatever the parser still holds (the reply is complete). */
    public void finish() {
        if (harmony != null) harmony.finish().forEach(this::harmonyDelta);
        else if (reasoning != null) emit(reasoning.finish());
    }

    private void harmonyDelta(HarmonyParser.Delta d) {
        if ("final".equals(d.channel())) emit(new ReasoningParser.Delta("", d.text()));
        else if ("analysis".equals(d.channel())) emit(new ReasoningParser.Delta(d.text(), ""));
    }

    private void emit(ReasoningParser.Delta d) {
        if (d.isEmpty()) return;
        thought.append(d.reasoning());
        content.append(d.content());
        if (sink != null) sink.accept(d);
    }

    /** The answer so far. */
    public String content() {
        return content.toString();
    }

    /** The reasoning so far. */
    public String reasoning() {
        return thought.toString();
    }
}
