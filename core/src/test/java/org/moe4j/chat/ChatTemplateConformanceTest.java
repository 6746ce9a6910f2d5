package org.moe4j.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders the shared model templates and compares byte for byte with expectations written by hand
 * from each model family's documented prompt format: {@code chat/expected/<template>/<case>.txt},
 * where {@code <case>} names a conversation in {@code chat/conversations}. A
 * {@code <case>.error.txt} holds the message the template is documented to raise instead.
 */
class ChatTemplateConformanceTest {

    static Stream<Arguments> expectations() throws IOException, URISyntaxException {
        Path root = Path.of(ChatTemplateConformanceTest.class.getResource("/chat/expected").toURI());
        List<Arguments> cases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.sorted().toList()) {
                        String name = file.getFileName().toString();
                        boolean error = name.endsWith(".error.txt");
                        String conversation = name.substring(0, name.length() - (error ? ".error.txt" : ".txt").length());
                        cases.add(Arguments.of(dir.getFileName().toString(), conversation, error, Files.readString(file)));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("expectations")
    void rendersAsDocumented(String template, String conversationName, boolean error, String expected) {
        ChatTemplate chat = Conversations.chatTemplate(template);
        Map<String, Object> conversation = Conversations.conversation(conversationName);
        RenderOptions options = Conversations.options(conversation);
        if (error) {
            assertThatThrownBy(() -> chat.renderValues(Conversations.messageValues(conversation), options))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessage(expected);
            return;
        }
        assertThat(chat.renderValues(Conversations.messageValues(conversation), options)).isEqualTo(expected);
        // The same conversation built from ChatMessage records renders the same, except where the JSON
        // has content None, which ChatMessage turns into "" on purpose (see ChatMessage.toTemplateValue).
        if (!hasNoneContent(conversation)) {
            assertThat(chat.render(Conversations.messages(conversation), options)).isEqualTo(expected);
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean hasNoneContent(Map<String, Object> conversation) {
        return Conversations.messageValues(conversation).stream()
                .anyMatch(m -> ((Map<String, Object>) m).containsKey("content") && ((Map<String, Object>) m).get("content") == null);
    }
}
