package org.moe4j.chat;

import java.util.List;

/**
 * Separates a model's thinking from its answer in streamed output, for models that wrap thinking in
 * tags ({@code <think>...</think>} and the like), so a UI can hide or show the thinking.
 *
 * <p>Thinking is recognized at the start of the output, after optional whitespace, or from the very
 * first character when the prompt already opened the block (DeepSeek-R1 and QwQ prompts end with
 * {@code <think>\n}; see {@link ChatFormat#startsInReasoning}). Whitespace just inside the tags and
 * just after the closing tag is dropped. Text after the answer began is all answer, even if it
 * mentions the tags. Not thread-safe: one parser per generation.
 */
public final class ReasoningParser {

    /** Text newly classified by one {@link #push} or {@link #finish}; either part may be empty. */
    public record Delta(String reasoning, String content) {
        public boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }
    }

    private enum State { START, REASONING, CONTENT_START, CONTENT }

    private final String openTag;
    private final String closeTag;
    private final MarkerScanner scanner = new MarkerScanner();
    private final StringBuilder reasoning = new StringBuilder();
    private final StringBuilder content = new StringBuilder();
    /** Whitespace at the end of the reasoning so far, kept back in case the closing tag follows. */
    private final StringBuilder heldWhitespace = new StringBuilder();
    private State state;
    private boolean reasoningStarted;

    /**
     * @param openTag the tag that opens thinking, e.g. {@code <think>}
     * @param closeTag the tag that closes it, e.g. {@code </think>}
     * @param startsInReasoning the prompt ended inside an open thinking block
     */
    public ReasoningParser(String openTag, String closeTag, boolean startsInReasoning) {
        this.openTag = openTag;
        this.closeTag = closeTag;
        this.state = startsInReasoning ? State.REASONING : State.START;
    }

    /** A parser for {@code <think>...</think>}. */
    public static ReasoningParser thinkTags(boolean startsInReasoning) {
        return new ReasoningParser("<think>", "</think>", startsInReasoning);
    }

    /** Feeds the next chunk of generated text and returns what it revealed. */
    public Delta push(String chunk) {
        scanner.append(chunk);
        StringBuilder newReasoning = new StringBuilder();
        StringBuilder newContent = new StringBuilder();
        boolean progress = true;
        while (progress) {
            progress = step(newReasoning, newContent, false);
        }
        return record(newReasoning, newContent);
    }

    /** Ends the stream: text held back because it might have begun a tag is classified now. */
    public Delta finish() {
        StringBuilder newReasoning = new StringBuilder();
        StringBuilder newContent = new StringBuilder();
        while (step(newReasoning, newContent, true)) {
            // classify everything left
        }
        heldWhitespace.setLength(0);
        return record(newReasoning, newContent);
    }

    private Delta record(StringBuilder newReasoning, StringBuilder newContent) {
        reasoning.append(newReasoning);
        content.append(newContent);
        return new Delta(newReasoning.toString(), newContent.toString());
    }

    /** One step of the state machine; returns whether it made progress. */
    private boolean step(StringBuilder newReasoning, StringBuilder newContent, boolean end) {
        switch (state) {
            case START -> {
                String text = scanner.drain();
                String trimmed = PythonStrings.strip(text, null, true, false);
                if (trimmed.startsWith(openTag)) {
                    scanner.append(trimmed.substring(openTag.length()));
                    state = State.REASONING;
                    return true;
                }
                if (trimmed.isEmpty() || (!end && openTag.startsWith(trimmed))) {
                    // Only whitespace or the beginning of the open tag so far: wait for more.
                    scanner.append(end ? "" : text);
                    return false;
                }
                scanner.append(text);
                state = State.CONTENT;
                return true;
            }
            case REASONING -> {
                MarkerScanner.Match match = end ? new MarkerScanner.Match(scanner.drain(), null) : scanner.next(List.of(closeTag));
                appendReasoning(match.before(), newReasoning);
                if (match.marker() != null) {
                    heldWhitespace.setLength(0);
                    state = State.CONTENT_START;
                    return true;
                }
                return false;
            }
            case CONTENT_START -> {
                String text = PythonStrings.strip(scanner.drain(), null, true, false);
                if (text.isEmpty()) {
                    return false;
                }
                scanner.append(text);
                state = State.CONTENT;
                return true;
            }
            case CONTENT -> {
                String text = scanner.drain();
                newContent.append(text);
                return false;
            }
        }
        return false;
    }

    private void appendReasoning(String text, StringBuilder out) {
        if (!reasoningStarted) {
            text = PythonStrings.strip(text, null, true, false);
            if (text.isEmpty()) {
                return;
            }
            reasoningStarted = true;
        }
        String body = PythonStrings.strip(text, null, false, true);
        if (body.isEmpty()) {
            heldWhitespace.append(text);
            return;
        }
        out.append(heldWhitespace).append(body);
        heldWhitespace.setLength(0);
        heldWhitespace.append(text, body.length(), text.length());
    }

    /** All thinking so far, without the tags. */
    public String reasoning() {
        return reasoning.toString();
    }

    /** All answer text so far. */
    public String content() {
        return content.toString();
    }

    /** Whether the text so far ended inside the thinking block. */
    public boolean inReasoning() {
        return state == State.REASONING;
    }
}
