package org.moe4j.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * What a chat template implies for reading the model's output: which parser separates reasoning
 * from the answer, and which strings end the assistant's turn.
 *
 * @param output how the output is structured
 * @param reasoningOpen the tag that opens reasoning ({@link Output#REASONING_TAGS}), else null
 * @param reasoningClose the tag that closes reasoning ({@link Output#REASONING_TAGS}), else null
 * @param stopStrings strings at which generation should stop (not including them in the output)
 */
public record ChatFormat(Output output, String reasoningOpen, String reasoningClose, List<String> stopStrings) {

    public enum Output {
        /** Plain text: the whole output is the answer. */
        PLAIN,
        /** Reasoning between tags such as {@code <think>...</think>}, then the answer: {@link ReasoningParser}. */
        REASONING_TAGS,
        /** OpenAI harmony channels (gpt-oss): {@link HarmonyParser}. */
        HARMONY
    }

    /** Reasoning tag pairs, most specific first: a template using one of them thinks in it. */
    private static final List<List<String>> REASONING_TAG_PAIRS = List.of(
            List.of("<seed:think>", "</seed:think>"),
            List.of("<think>", "</think>"),
            List.of("[THINK]", "[/THINK]"),
            List.of("<|START_THINKING|>", "<|END_THINKING|>"));

    /**
     * Markers that end an assistant turn in the chat formats we know; those that appear in a template
     * are its stop strings. Harmony's {@code <|end|>} ends a message but not the turn, so harmony
     * templates stop at {@code <|return|>} and {@code <|call|>} only.
     */
    private static final List<String> TURN_ENDS = List.of(
            "<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<|return|>", "<|call|>",
            "<｜end▁of▁sentence｜>", "<end_of_turn>", "<|END_OF_TURN_TOKEN|>", "<|end_of_text|>",
            "<|endoftext|>", "<|user|>", "<|observation|>", "[e~[", "<seed:eos>");

    public ChatFormat {
        stopStrings = List.copyOf(stopStrings);
    }

    /** The format of a template, without knowing the model's EOS token. */
    public static ChatFormat detect(String template) {
        return detect(template, null);
    }

    /**
     * The format of a template; the EOS token (GGUF {@code tokenizer.ggml.eos_token_id} as text), if
     * given, is always a stop string since templates often write it through {@code eos_token}.
     */
    public static ChatFormat detect(String template, String eosToken) {
        boolean harmony = template.contains("<|channel|>");
        List<String> stops = new ArrayList<>();
        for (String marker : TURN_ENDS) {
            if (template.contains(marker) && !(harmony && marker.equals("<|end|>"))) {
                stops.add(marker);
            }
        }
        if (eosToken != null && !eosToken.isEmpty() && !stops.contains(eosToken)
                && !(harmony && eosToken.equals("<|end|>"))) {
            stops.add(eosToken);
        }
        if (harmony) {
            return new ChatFormat(Output.HARMONY, null, null, stops);
        }
        for (List<String> pair : REASONING_TAG_PAIRS) {
            if (template.contains(pair.get(0)) && template.contains(pair.get(1))) {
                return new ChatFormat(Output.REASONING_TAGS, pair.get(0), pair.get(1), stops);
            }
        }
        return new ChatFormat(Output.PLAIN, null, null, stops);
    }

    /**
     * Whether a rendered prompt leaves the model inside an open reasoning block, as DeepSeek-R1 and QwQ
     * prompts do by ending with {@code <think>\n}; then the output starts with reasoning, not a tag.
     */
    public boolean startsInReasoning(String renderedPrompt) {
        if (output != Output.REASONING_TAGS) {
            return false;
        }
        return renderedPrompt.lastIndexOf(reasoningOpen) > renderedPrompt.lastIndexOf(reasoningClose);
    }

    /** A reasoning parser for output generated after {@code renderedPrompt}, or null for other formats. */
    public ReasoningParser reasoningParser(String renderedPrompt) {
        if (output != Output.REASONING_TAGS) {
            return null;
        }
        return new ReasoningParser(reasoningOpen, reasoningClose, startsInReasoning(renderedPrompt));
    }
}
