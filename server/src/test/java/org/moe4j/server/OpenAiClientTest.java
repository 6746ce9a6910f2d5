package org.moe4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java client, pointed at the server, works unchanged. */
class OpenAiClientTest {
    private static TestServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start("qwen3moe");
        client = OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey("not-needed").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static ChatCompletionCreateParams.Builder greedy(String text, int maxTokens) {
        return ChatCompletionCreateParams.builder().model("qwen3moe").addUserMessage(text).maxCompletionTokens(maxTokens)
                .temperature(0.0).seed(7L);
    }

    @Test
    void listsTheModel() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly("qwen3moe");
    }

    @Test
    void nonStreamingChatReturnsTextAndUsage() {
        ChatCompletion c = client.chat().completions().create(greedy("Tell me about the sea.", 16).build());
        assertThat(c.choices()).hasSize(1);
        String text = c.choices().getFirst().message().content().orElseThrow();
        assertThat(text).isNotEmpty();
        CompletionUsage u = c.usage().orElseThrow();
        assertThat(u.completionTokens()).isBetween(1L, 16L);
        assertThat(u.promptTokens()).isGreaterThan(5L);
        assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + u.completionTokens());
        assertThat(c.choices().getFirst().finishReason().asString()).isIn("length", "stop");
    }

    @Test
    void streamingChatGivesTheSameTextAsNonStreamingAndReportsUsage() {
        String whole = client.chat().completions().create(greedy("Count to ten.", 20).build())
                .choices().getFirst().message().content().orElseThrow();
        StringBuilder streamed = new StringBuilder();
        List<CompletionUsage> usages = new ArrayList<>();
        List<String> finishes = new ArrayList<>();
        ChatCompletionCreateParams params = greedy("Count to ten.", 20)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunk -> {
                for (ChatCompletionChunk.Choice ch : chunk.choices()) {
                    ch.delta().content().ifPresent(streamed::append);
                    ch.finishReason().ifPresent(f -> finishes.add(f.asString()));
                }
                chunk.usage().ifPresent(usages::add);
            });
        }
        assertThat(streamed.toString()).isEqualTo(whole);
        assertThat(finishes).hasSize(1);
        assertThat(usages).isNotEmpty();
        assertThat(usages.getLast().completionTokens()).isBetween(1L, 20L);
    }

    @Test
    void stopSequencesEndTheAnswerBeforeTheStop() {
        String free = client.chat().completions().create(greedy("Say something long.", 24).build())
                .choices().getFirst().message().content().orElseThrow();
        assertThat(free.length()).isGreaterThan(8);
        String stop = free.substring(5, 8);
        ChatCompletion c = client.chat().completions().create(greedy("Say something long.", 24).stop(stop).build());
        assertThat(c.choices().getFirst().message().content().orElseThrow()).isEqualTo(free.substring(0, free.indexOf(stop)));
        assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("stop");

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                greedy("Say something long.", 24).stop(stop).build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo(free.substring(0, free.indexOf(stop)));
    }

    @Test
    void logprobsComeWithEveryToken() {
        ChatCompletion c = client.chat().completions().create(greedy("Hi", 5).logprobs(true).topLogprobs(2L).build());
        var content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize((int) c.usage().orElseThrow().completionTokens());
        for (var lp : content) {
            assertThat(lp.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(lp.topLogprobs()).hasSize(2);
            assertThat(lp.topLogprobs().getFirst().logprob()).isEqualTo(lp.logprob());
        }
    }
}
