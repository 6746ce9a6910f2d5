package org.moe4j.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HarmonyParserTest {

    private static final String ANSWER =
            "<|channel|>analysis<|message|>User says hi. Respond politely.<|end|>"
                    + "<|start|>assistant<|channel|>final<|message|>Hello! How can I help?<|return|>";

    private static final String TOOL_CALL =
            "<|channel|>analysis<|message|>Need the weather.<|end|>"
                    + "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json"
                    + "<|message|>{\"location\": \"Paris\"}<|call|>";

    private static HarmonyParser parse(String text, int size) {
        HarmonyParser parser = new HarmonyParser();
        StringBuilder streamedFinal = new StringBuilder();
        for (int at = 0; at < text.length(); at += size) {
            for (HarmonyParser.Delta delta : parser.push(text.substring(at, Math.min(text.length(), at + size)))) {
                if ("final".equals(delta.channel())) {
                    streamedFinal.append(delta.text());
                }
            }
        }
        parser.finish();
        assertThat(streamedFinal.toString()).isEqualTo(parser.finalText());
        return parser;
    }

    @ParameterizedTest(name = "chunks of {0}")
    @ValueSource(ints = {1, 2, 3, 4, 7, 11, 1000})
    void separatesAnalysisAndFinalWhateverTheChunking(int size) {
        HarmonyParser parser = parse(ANSWER, size);
        assertThat(parser.analysisText()).isEqualTo("User says hi. Respond politely.");
        assertThat(parser.finalText()).isEqualTo("Hello! How can I help?");
        assertThat(parser.isDone()).isTrue();
        assertThat(parser.messages()).extracting(HarmonyParser.Message::channel).containsExactly("analysis", "final");
    }

    @Test
    void everySplitPointOfTheMarkersGivesTheSameResult() {
        for (int split = 0; split <= ANSWER.length(); split++) {
            HarmonyParser parser = new HarmonyParser();
            parser.push(ANSWER.substring(0, split));
            parser.push(ANSWER.substring(split));
            parser.finish();
            assertThat(parser.finalText()).as("split at %d", split).isEqualTo("Hello! How can I help?");
            assertThat(parser.analysisText()).as("split at %d", split).isEqualTo("User says hi. Respond politely.");
        }
    }

    @ParameterizedTest(name = "chunks of {0}")
    @ValueSource(ints = {1, 5, 1000})
    void readsToolCallsOnTheCommentaryChannel(int size) {
        HarmonyParser parser = parse(TOOL_CALL, size);
        assertThat(parser.isDone()).isTrue();
        assertThat(parser.toolCalls()).containsExactly(new ToolCall(null, "get_weather", "{\"location\": \"Paris\"}"));
        HarmonyParser.Message call = parser.messages().get(1);
        assertThat(call.channel()).isEqualTo("commentary");
        assertThat(call.recipient()).isEqualTo("functions.get_weather");
        assertThat(call.contentType()).isEqualTo("json");
        assertThat(parser.finalText()).isEmpty();
    }

    @Test
    void recipientMayPrecedeTheChannel() {
        HarmonyParser parser = parse(
                "<|start|>assistant to=functions.lookup<|channel|>commentary json<|message|>{}<|call|>", 3);
        assertThat(parser.toolCalls()).containsExactly(new ToolCall(null, "lookup", "{}"));
        assertThat(parser.messages().getFirst().contentType()).isEqualTo("json");
    }

    @Test
    void preambleOnCommentaryBeforeAToolCall() {
        HarmonyParser parser = parse("<|channel|>commentary<|message|>Checking the weather.<|end|>"
                + "<|start|>assistant<|channel|>commentary to=functions.get_weather json<|message|>{}<|call|>", 2);
        assertThat(parser.text("commentary")).isEqualTo("Checking the weather.{}");
        assertThat(parser.toolCalls()).hasSize(1);
    }

    @Test
    void stopsAtTheEndOfTheTurn() {
        HarmonyParser parser = new HarmonyParser();
        parser.push("<|channel|>final<|message|>Done.<|return|>trailing");
        assertThat(parser.finalText()).isEqualTo("Done.");
        assertThat(parser.push("more")).isEmpty();
    }

    @Test
    void unterminatedOutputKeepsWhatArrived() {
        HarmonyParser parser = new HarmonyParser();
        parser.push("<|channel|>analysis<|message|>thinking<|en");
        parser.finish();
        assertThat(parser.analysisText()).isEqualTo("thinking<|en");
        assertThat(parser.isDone()).isTrue();
    }

    @Test
    void plainTextWithoutHarmonyHeadersIsTheAnswer() {
        HarmonyParser parser = new HarmonyParser();
        parser.push("Hello");
        parser.finish();
        assertThat(parser.finalText()).isEqualTo("Hello");
    }
}
