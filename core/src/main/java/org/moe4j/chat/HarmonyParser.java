package org.moe4j.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses gpt-oss output in OpenAI's harmony format as it streams, e.g.
 * {@code <|channel|>analysis<|message|>...<|end|><|start|>assistant<|channel|>final<|message|>...<|return|>},
 * into messages per channel: {@code analysis} (reasoning), {@code commentary} (tool calls and
 * preambles) and {@code final} (the answer). A tool call is a message with a recipient such as
 * {@code to=functions.get_weather}, in the header either before or after the channel, ending with
 * {@code <|call|>}.
 *
 * <p>The prompt is expected to end with {@code <|start|>assistant}, so output begins with a
 * message header. Not thread-safe: one parser per generation.
 */
public final class HarmonyParser {

    /** Text newly added to the message on {@code channel} (addressed to {@code recipient}, or null). */
    public record Delta(String channel, String recipient, String text) {}

    /** A completed or in-progress message. */
    public record Message(String role, String channel, String recipient, String contentType, String content) {

        /** The function name when this message calls {@code functions.name}, else null. */
        public String functionName() {
            return recipient != null && recipient.startsWith("functions.")
                    ? recipient.substring("functions.".length())
                    : null;
        }
    }

    private static final String START = "<|start|>";
    private static final String CHANNEL = "<|channel|>";
    private static final String MESSAGE = "<|message|>";
    private static final String END = "<|end|>";
    private static final String RETURN = "<|return|>";
    private static final String CALL = "<|call|>";
    private static final List<String> BODY_ENDS = List.of(END, RETURN, CALL);
    private static final List<String> HEADER_MARKERS = List.of(START, MESSAGE);
    private static final Pattern RECIPIENT = Pattern.compile("\\bto=(\\S+?)(?=\\s|<\\||$)");
    private static final Pattern CONSTRAIN = Pattern.compile("<\\|constrain\\|>\\s*(\\S+?)(?=\\s|<\\||$)");

    private final MarkerScanner scanner = new MarkerScanner();
    private final List<Message> messages = new ArrayList<>();
    private final Map<String, StringBuilder> channelText = new LinkedHashMap<>();
    private final StringBuilder header = new StringBuilder();
    private final StringBuilder body = new StringBuilder();
    private boolean inBody;
    private boolean done;
    private String role = "assistant";
    private String channel;
    private String recipient;
    private String contentType;

    /** Feeds the next chunk of generated text and returns the text it added to messages. */
    public List<Delta> push(String chunk) {
        List<Delta> deltas = new ArrayList<>();
        if (done) {
            return deltas;
        }
        scanner.append(chunk);
        while (!done && advance(deltas)) {
            // consume every complete marker
        }
        return deltas;
    }

    /** Ends the stream; an unterminated message is completed with what it has. */
    public List<Delta> finish() {
        List<Delta> deltas = new ArrayList<>();
        String rest = scanner.drain();
        if (done) {
            return deltas;
        }
        if (inBody) {
            addBody(rest, deltas);
            completeMessage();
        } else if (!PythonStrings.strip(header + rest, null, true, true).isEmpty() && messages.isEmpty()) {
            // No harmony structure at all: treat the text as the answer.
            channel = "final";
            addBody(header + rest, deltas);
            completeMessage();
        }
        done = true;
        return deltas;
    }

    private boolean advance(List<Delta> deltas) {
        if (inBody) {
            MarkerScanner.Match match = scanner.next(BODY_ENDS);
            addBody(match.before(), deltas);
            if (match.marker() == null) {
                return false;
            }
            completeMessage();
            if (!match.marker().equals(END)) {
                done = true;
            }
            return true;
        }
        MarkerScanner.Match match = scanner.next(HEADER_MARKERS);
        header.append(match.before());
        if (match.marker() == null) {
            return false;
        }
        if (match.marker().equals(START)) {
            header.setLength(0);
            role = null;
            return true;
        }
        parseHeader(header.toString());
        header.setLength(0);
        inBody = true;
        return true;
    }

    /** Header text: {@code [role][ to=recipient]<|channel|>name[ to=recipient][ <|constrain|>type]}. */
    private void parseHeader(String text) {
        int channelAt = text.indexOf(CHANNEL);
        String beforeChannel = channelAt < 0 ? text : text.substring(0, channelAt);
        String afterChannel = channelAt < 0 ? "" : text.substring(channelAt + CHANNEL.length());
        String roleWord = PythonStrings.strip(beforeChannel.replaceAll("\\bto=\\S+", ""), null, true, true);
        if (!roleWord.isEmpty()) {
            role = roleWord;
        } else if (role == null) {
            role = "assistant";
        }
        channel = null;
        if (channelAt >= 0) {
            String[] words = PythonStrings.strip(afterChannel, null, true, true).split("[\\s<]", 2);
            channel = words[0].isEmpty() ? null : words[0];
        }
        Matcher to = RECIPIENT.matcher(text);
        recipient = to.find() ? to.group(1) : null;
        Matcher constrain = CONSTRAIN.matcher(text);
        if (constrain.find()) {
            contentType = constrain.group(1);
        } else {
            String[] words = PythonStrings.strip(afterChannel.replaceAll("\\bto=\\S+", ""), null, true, true).split("\\s+");
            contentType = words.length > 1 ? words[words.length - 1] : null;
        }
    }

    private void addBody(String text, List<Delta> deltas) {
        if (text.isEmpty()) {
            return;
        }
        body.append(text);
        String key = channel == null ? "" : channel;
        channelText.computeIfAbsent(key, k -> new StringBuilder()).append(text);
        deltas.add(new Delta(channel, recipient, text));
    }

    private void completeMessage() {
        messages.add(new Message(role == null ? "assistant" : role, channel, recipient, contentType, body.toString()));
        body.setLength(0);
        inBody = false;
        role = "assistant";
        channel = null;
        recipient = null;
        contentType = null;
    }

    /** All text so far on a channel ("analysis", "commentary", "final"), across messages. */
    public String text(String channelName) {
        StringBuilder text = channelText.get(channelName);
        return text == null ? "" : text.toString();
    }

    /** The answer so far: the {@code final} channel. */
    public String finalText() {
        return text("final");
    }

    /** The reasoning so far: the {@code analysis} channel. */
    public String analysisText() {
        return text("analysis");
    }

    /** Completed messages, in order. */
    public List<Message> messages() {
        return List.copyOf(messages);
    }

    /** Completed messages addressed to {@code functions.*}, as tool calls (ids are not part of harmony). */
    public List<ToolCall> toolCalls() {
        List<ToolCall> calls = new ArrayList<>();
        for (Message message : messages) {
            if (message.functionName() != null) {
                calls.add(new ToolCall(null, message.functionName(), message.content()));
            }
        }
        return calls;
    }

    /** Whether the output ended the turn ({@code <|return|>} or {@code <|call|>}). */
    public boolean isDone() {
        return done;
    }
}
