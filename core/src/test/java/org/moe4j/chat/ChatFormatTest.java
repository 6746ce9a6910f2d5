package org.moe4j.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChatFormatTest {

    @Test
    void gptOssIsHarmonyAndStopsOnlyAtTheEndOfTheTurn() {
        ChatFormat format = ChatFormat.detect(Conversations.template("openai-gpt-oss-120b"), "<|return|>");
        assertThat(format.output()).isEqualTo(ChatFormat.Output.HARMONY);
        assertThat(format.stopStrings()).containsExactlyInAnyOrder("<|return|>", "<|call|>");
    }

    @Test
    void qwen3ThinksInThinkTagsAndStopsAtImEnd() {
        ChatFormat format = ChatFormat.detect(Conversations.template("Qwen-Qwen3-0.6B"), "<|im_end|>");
        assertThat(format.output()).isEqualTo(ChatFormat.Output.REASONING_TAGS);
        assertThat(format.reasoningOpen()).isEqualTo("<think>");
        assertThat(format.reasoningClose()).isEqualTo("</think>");
        assertThat(format.stopStrings()).containsExactly("<|im_end|>");
    }

    @Test
    void llamaIsPlainAndStopsAtEotAndEom() {
        ChatFormat format = ChatFormat.detect(Conversations.template("meta-llama-Llama-3.1-8B-Instruct"));
        assertThat(format.output()).isEqualTo(ChatFormat.Output.PLAIN);
        assertThat(format.stopStrings()).containsExactly("<|eot_id|>", "<|eom_id|>");
    }

    @Test
    void mistralStopsAtItsEosToken() {
        ChatFormat format = ChatFormat.detect(Conversations.template("mistralai-Mistral-Nemo-Instruct-2407"), "</s>");
        assertThat(format.output()).isEqualTo(ChatFormat.Output.PLAIN);
        assertThat(format.stopStrings()).containsExactly("</s>");
    }

    @Test
    void phiStopsAtEnd() {
        ChatFormat format = ChatFormat.detect(Conversations.template("microsoft-Phi-3.5-mini-instruct"), "<|endoftext|>");
        assertThat(format.stopStrings()).contains("<|end|>", "<|endoftext|>");
    }

    @Test
    void deepSeekR1PromptStartsTheOutputInsideThinking() {
        ChatTemplate template = Conversations.chatTemplate("deepseek-ai-DeepSeek-R1-Distill-Llama-8B");
        String prompt = template.render(java.util.List.of(ChatMessage.user("Hi")), RenderOptions.defaults().withGenerationPrompt(true));
        ChatFormat format = ChatFormat.detect(template.source(), "<｜end▁of▁sentence｜>");
        assertThat(format.output()).isEqualTo(ChatFormat.Output.REASONING_TAGS);
        assertThat(format.startsInReasoning(prompt)).isTrue();
        assertThat(format.stopStrings()).containsExactly("<｜end▁of▁sentence｜>");
        ReasoningParser parser = format.reasoningParser(prompt);
        parser.push("hmm</think>Hello");
        parser.finish();
        assertThat(parser.reasoning()).isEqualTo("hmm");
        assertThat(parser.content()).isEqualTo("Hello");
    }

    @Test
    void qwen3WithThinkingDisabledDoesNotStartInsideThinking() {
        ChatTemplate template = Conversations.chatTemplate("Qwen-Qwen3-0.6B");
        String prompt = template.render(java.util.List.of(ChatMessage.user("Hi")),
                RenderOptions.defaults().withGenerationPrompt(true).with("enable_thinking", false));
        assertThat(ChatFormat.detect(template.source()).startsInReasoning(prompt)).isFalse();
    }

    @Test
    void otherReasoningTags() {
        assertThat(ChatFormat.detect(Conversations.template("ByteDance-Seed-OSS")).reasoningOpen()).isEqualTo("<seed:think>");
        assertThat(ChatFormat.detect(Conversations.template("mistralai-Ministral-3-14B-Reasoning-2512")).reasoningOpen()).isEqualTo("[THINK]");
        assertThat(ChatFormat.detect(Conversations.template("GLM-4.6")).stopStrings()).contains("<|user|>", "<|observation|>");
    }
}
