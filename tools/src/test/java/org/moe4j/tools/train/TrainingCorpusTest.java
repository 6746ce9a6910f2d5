package org.moe4j.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCorpusTest {
    @Test
    void holdsOutEveryNthBlockAtLineEnds() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) sb.append("line ").append(i).append('\n');
        String text = sb.toString();
        TrainingCorpus.Part p = TrainingCorpus.split("x", text, 4);
        assertThat(p.train().length() + p.heldOut().length()).isEqualTo(text.length());
        assertThat(p.heldOut().length()).isBetween(text.length() / 6, text.length() / 3);
        assertThat(p.heldOut()).startsWith("line ").endsWith("\n");
        assertThat(text).contains(p.heldOut().substring(0, 1000));
    }

    @Test
    void shortTextsHoldOutTheirLastTenth() {
        TrainingCorpus.Part p = TrainingCorpus.split("x", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", 20);
        assertThat(p.heldOut()).isNotEmpty();
        assertThat(p.train() + p.heldOut()).isEqualTo("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n");
    }

    @Test
    void badInputGivesClearErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> TrainingCorpus.read(List.of(), 20)).hasMessageContaining("--corpus");
        Path empty = Files.writeString(dir.resolve("empty.txt"), " \n");
        assertThatThrownBy(() -> TrainingCorpus.read(List.of(empty), 20)).hasMessageContaining("empty");
        Path binary = Files.write(dir.resolve("bin.txt"), new byte[]{(byte) 0xff, (byte) 0xfe, 0x41});
        assertThatThrownBy(() -> TrainingCorpus.read(List.of(binary), 20)).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> TrainingCorpus.read(List.of(dir.resolve("missing.txt")), 20)).hasMessageContaining("missing.txt");
    }
}
