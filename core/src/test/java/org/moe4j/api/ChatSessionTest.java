package org.moe4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moe4j.chat.ChatMessage;
import org.moe4j.chat.ChatTemplate;
import org.moe4j.chat.RenderOptions;
import org.moe4j.generate.GenerationConfig;
import org.moe4j.model.LoadOptions;
import org.moe4j.testing.Manifest;
import org.moe4j.testing.SharedData;

/**
 * Multi-turn chat on conformance models: the tokens fed to the model each turn are exactly the
 * tokenization of the template's rendering of the conversation so far, and reusing the KV cache between
 * turns changes nothing in the output.
 */
class ChatSessionTest {

    @Test
    void everyTurnFeedsTheTemplatesTokensAndCacheReuseIsExact() throws Exception {
        String source = Files.readString(SharedData.conformance().resolve("templates/Qwen-Qwen3-0.6B.jinja"));
        try (Moe4j llm = Moe4j.load(Manifest.get("qwen3moe").modelFile(), LoadOptions.defaults().withThreads(2), 1024)) {
            ChatTemplate template = ChatSession.templateOf(llm, source);
            ChatSession chat = new ChatSession(llm, template, RenderOptions.defaults());
            chat.setSystem("You are terse.");
            List<ChatMessage> expected = new ArrayList<>();
            expected.add(ChatMessage.system("You are terse."));
            for (String user : List.of("Hello there", "And then?", "Tell me more")) {
                ChatSession.Reply r = chat.send(user, GenerationConfig.greedy(10), null, null);
                expected.add(ChatMessage.user(user));
                String rendered = template.render(expected, RenderOptions.defaults().withGenerationPrompt(true));
                assertThat(rendered).contains("<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n");
                int[] want = llm.tokenizer().encode(rendered, true, true);
                assertThat(r.promptTokens()).as("prompt tokens of turn '%s'", user).containsExactly(want);

                // the same prompt from a cold cache gives the same tokens
                int[] cold = llm.generate(want, GenerationConfig.greedy(10), null).tokens();
                assertThat(r.result().tokens()).containsExactly(cold);
                expected.add(r.reasoning().isEmpty() ? ChatMessage.assistant(r.content()) : ChatMessage.assistant(r.content(), r.reasoning()));
            }
            assertThat(chat.history()).hasSize(6);
            chat.reset();
            assertThat(chat.history()).isEmpty();
        }
    }

    @Test
    void harmonyTemplateRendersTheGptOssPromptFormat() throws Exception {
        String source = Files.readString(SharedData.conformance().resolve("templates/openai-gpt-oss-120b.jinja"));
        try (Moe4j llm = Moe4j.load(Manifest.get("gpt-oss").modelFile(), LoadOptions.defaults().withThreads(2), 2048)) {
            ChatTemplate template = ChatSession.templateOf(llm, source);
            ChatSession chat = new ChatSession(llm, template, RenderOptions.defaults());
            assertThat(chat.format().stopStrings()).contains("<|return|>");
            ChatSession.Reply r = chat.send("Hi", GenerationConfig.greedy(6), null, null);
            String rendered = chat.render(List.of());
            assertThat(rendered).startsWith("<|start|>system<|message|>");
            int[] first = llm.tokenizer().encode(template.render(List.of(ChatMessage.user("Hi")),
                    RenderOptions.defaults().withGenerationPrompt(true)), true, true);
            assertThat(r.promptTokens()).containsExactly(first);
        }
    }
}
