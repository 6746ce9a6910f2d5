package org.moe4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {
    @Test
    void holdsBackPossibleStopPrefixAndCutsAtTheStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("<|im_end|>", "\n\n"));
        StringBuilder shown = new StringBuilder();
        for (String piece : List.of("Hello", " world", "<|im", "_e", "nd|>", "never shown")) {
            shown.append(m.push(piece));
            if (m.stopped()) break;
        }
        assertThat(m.stopped()).isTrue();
        assertThat(shown.toString()).isEqualTo("Hello world");
        assertThat(m.text()).isEqualTo("Hello world");
    }

    @Test
    void releasesHeldTextWhenItTurnsOutNotToBeAStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("STOP"));
        assertThat(m.push("a ST")).isEqualTo("a ");
        assertThat(m.push("ART")).isEqualTo("START");
        assertThat(m.push(" S")).isEqualTo(" ");
        assertThat(m.flush()).isEqualTo("S");
        assertThat(m.text()).isEqualTo("a START S");
    }

    @Test
    void stopInsideOnePieceAndEarliestOfSeveral() {
        StopStringMatcher m = new StopStringMatcher(List.of("end", "xy"));
        assertThat(m.push("abxyz end")).isEqualTo("ab");
        assertThat(m.stopped()).isTrue();
        assertThat(m.text()).isEqualTo("ab");
    }

    @Test
    void noStopsPassesEverythingThrough() {
        StopStringMatcher m = new StopStringMatcher(List.of());
        assertThat(m.push("abc")).isEqualTo("abc");
        assertThat(m.flush()).isEmpty();
    }
}
