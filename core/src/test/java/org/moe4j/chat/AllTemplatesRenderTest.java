package org.moe4j.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
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
 * Every template in the shared conformance folder renders the basic conversations, unless the
 * template is documented to raise for them ({@code chat/expected/<template>/<case>.error.txt}).
 */
class AllTemplatesRenderTest {

    static final List<String> BASIC = List.of("system_user", "user_only", "multi_turn");

    static Stream<Arguments> templates() throws IOException {
        List<Arguments> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(Conversations.templatesDir())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jinja")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".jinja", "");
                for (String conversation : BASIC) {
                    all.add(Arguments.of(name, conversation));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("templates")
    void renders(String template, String conversationName) {
        ChatTemplate chat = Conversations.chatTemplate(template);
        Map<String, Object> conversation = Conversations.conversation(conversationName);
        RenderOptions options = Conversations.options(conversation);
        String expectedError = Conversations.resource("expected/" + template + "/" + conversationName + ".error.txt");
        if (expectedError != null) {
            assertThatThrownBy(() -> chat.render(Conversations.messages(conversation), options))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessage(expectedError);
            return;
        }
        String prompt = chat.render(Conversations.messages(conversation), options);
        assertThat(prompt).contains(firstUserText(conversation));
    }

    @SuppressWarnings("unchecked")
    private static String firstUserText(Map<String, Object> conversation) {
        for (Object m : Conversations.messageValues(conversation)) {
            Map<String, Object> message = (Map<String, Object>) m;
            if ("user".equals(message.get("role"))) {
                return (String) message.get("content");
            }
        }
        return "";
    }
}
