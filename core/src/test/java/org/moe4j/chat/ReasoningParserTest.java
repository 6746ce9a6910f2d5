package org.moe4j.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReasoningParserTest {

    /** Feeds the text in pieces of the given sizes (cycling) and returns [reasoning, content]. */
    private static String[] parse(ReasoningParser parser, String text, int... sizes) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        int at = 0;
        int i = 0;
        while (at < text.length()) {
            int end = Math.min(text.length(), at + sizes[i++ % sizes.length]);
            ReasoningParser.Delta delta = parser.push(text.substring(at, end));
            reasoning.append(delta.reasoning());
            content.append(delta.content());
            at = end;
        }
        ReasoningParser.Delta last = parser.finish();
        reasoning.append(last.reasoning());
        content.append(last.content());
        assertThat(parser.reasoning()).isEqualTo(reasoning.toString());
        assertThat(parser.content()).isEqualTo(content.toString());
        return new String[] {reasoning.toString(), content.toString()};
    }

    @ParameterizedTest(name = "chunks of {0}")
    @ValueSource(ints = {1, 2, 3, 5, 7, 100})
    void separatesThinkingFromTheAnswerWhateverTheChunking(int size) {
        String[] out = parse(ReasoningParser.thinkTags(false),
                "<think>\nThe user greets me.\nI greet back.\n</think>\n\nHello there!", size);
        assertThat(out[0]).isEqualTo("The user greets me.\nI greet back.");
        assertThat(out[1]).isEqualTo("Hello there!");
    }

    @Test
    void everySplitPointOfTheMarkersGivesTheSameResult() {
        String text = "<think>a < b</think>x <thin";
        for (int split = 0; split <= text.length(); split++) {
            ReasoningParser parser = ReasoningParser.thinkTags(false);
            parser.push(text.substring(0, split));
            parser.push(text.substring(split));
            parser.finish();
            assertThat(parser.reasoning()).as("split at %d", split).isEqualTo("a < b");
            assertThat(parser.content()).as("split at %d", split).isEqualTo("x <thin");
        }
    }

    @Test
    void promptThatOpenedThinkingStartsInsideIt() {
        // DeepSeek-R1 and QwQ prompts end with "<think>\n": the output has only the closing tag.
        String[] out = parse(ReasoningParser.thinkTags(true), "Let me add.\n2+2=4\n</think>\n\n4", 4);
        assertThat(out[0]).isEqualTo("Let me add.\n2+2=4");
        assertThat(out[1]).isEqualTo("4");
    }

    @Test
    void outputWithoutThinkingIsAllAnswer() {
        String[] out = parse(ReasoningParser.thinkTags(false), "Just an answer, no <think> here.", 3);
        assertThat(out[0]).isEmpty();
        assertThat(out[1]).isEqualTo("Just an answer, no <think> here.");
    }

    @Test
    void answerStartingWithAnAngleBracketIsNotHeldForever() {
        ReasoningParser parser = ReasoningParser.thinkTags(false);
        assertThat(parser.push("<b>").content()).isEqualTo("<b>");
    }

    @Test
    void unfinishedThinkingStaysThinking() {
        ReasoningParser parser = ReasoningParser.thinkTags(false);
        parser.push("<think>still thinking</thi");
        assertThat(parser.inReasoning()).isTrue();
        parser.finish();
        assertThat(parser.reasoning()).isEqualTo("still thinking</thi");
        assertThat(parser.content()).isEmpty();
    }

    @Test
    void emptyThinkingBlockOfANonThinkingTurn() {
        // Qwen3 with enable_thinking=false: the prompt already holds "<think>\n\n</think>\n\n".
        String[] out = parse(ReasoningParser.thinkTags(false), "<think>\n\n</think>\n\nFour.", 2);
        assertThat(out[0]).isEmpty();
        assertThat(out[1]).isEqualTo("Four.");
    }

    @Test
    void streamsThinkingAsItArrives() {
        ReasoningParser parser = ReasoningParser.thinkTags(false);
        List<String> reasoningDeltas = new ArrayList<>();
        for (String chunk : List.of("<think>", "one ", "two", "</think>", "done")) {
            ReasoningParser.Delta delta = parser.push(chunk);
            if (!delta.reasoning().isEmpty()) {
                reasoningDeltas.add(delta.reasoning());
            }
        }
        // The space after "one" is held back until we know it is not the end of the thinking.
        assertThat(reasoningDeltas).containsExactly("one", " two");
        assertThat(parser.content()).isEqualTo("done");
    }

    @Test
    void otherTagPairs() {
        String[] out = parse(new ReasoningParser("[THINK]", "[/THINK]", false), "[THINK]hmm[/THINK]ok", 1);
        assertThat(out).containsExactly("hmm", "ok");
    }
}
