package org.moe4j.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jinja behaviour that chat templates rely on, case by case from {@code chat/jinja_cases.txt}, each
 * with the output (or error) Python's jinja2 gives under Hugging Face's settings.
 */
class JinjaCompatibilityTest {

    private static String render(String template) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("a", 1);
        dict.put("b", List.of(1, 2));
        RenderOptions options = RenderOptions.defaults()
                .with("d", dict)
                .with("s", "  Hello World  ")
                .with("items", List.of("x", "y", "z"))
                .with("nothing", null)
                .with("text", "h\u00e9llo \"quoted\" <b>")
                .with("f", 2.5);
        return ChatTemplate.of(template, "<s>", "</s>").render(List.of(ChatMessage.user("hi")), options);
    }

    static Stream<Arguments> cases() {
        String text = Conversations.resource("jinja_cases.txt");
        String[] lines = (text.endsWith("\n") ? text.substring(0, text.length() - 1) : text).split("\n", -1);
        List<Arguments> cases = new ArrayList<>();
        String name = null;
        StringBuilder template = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        Boolean error = null;
        for (String line : lines) {
            if (line.startsWith("### ")) {
                if (name != null) {
                    cases.add(Arguments.of(name, chop(template), error, chop(expected)));
                }
                name = line.substring(4);
                template.setLength(0);
                expected.setLength(0);
                error = null;
            } else if (name != null && error == null && (line.equals("---") || line.equals("--- error"))) {
                error = line.equals("--- error");
            } else if (name != null) {
                (error == null ? template : expected).append(line).append('\n');
            }
        }
        cases.add(Arguments.of(name, chop(template), error, chop(expected)));
        return cases.stream();
    }

    private static String chop(StringBuilder text) {
        return text.isEmpty() ? "" : text.substring(0, text.length() - 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void behavesLikePythonJinja(String name, String template, boolean error, String expected) {
        if (error) {
            assertThatThrownBy(() -> render(template))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessage(expected);
        } else {
            assertThat(render(template)).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "%Y-%m-%d | 2025-03-14",
            "%d %b %Y | 14 Mar 2025",
            "%B %d, %Y | March 14, 2025",
            "%A %H:%M:%S %p %j | Friday 09:26:53 AM 073",
    })
    void strftimeNowFormatsTheGivenTime(String format, String expected) {
        String out = ChatTemplate.of("{{ strftime_now('" + format + "') }}", null, null)
                .render(List.of(), RenderOptions.defaults().withNow(Conversations.NOW));
        assertThat(out).isEqualTo(expected);
    }
}
