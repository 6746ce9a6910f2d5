package org.moe4j.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.util.WorkerPool;

class CheckpointResumeTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static Trainer fresh(int steps, BpeVocabulary vocab, TokenStreams data, WorkerPool pool) {
        ModelShape shape = new ModelShape(vocab.size(), 16, 2, 2, 1, 8, 4, 2, 24, 12, 10000f, 1e-6f);
        TrainSettings s = new TrainSettings(3, steps, 0, 4, 2, 3e-3f, 0.1f, 2, 0.1f, 0.9f, 0.95f, 1f, 0.01f, 0.001f, 0, 2, 0);
        return new Trainer(shape, s, data, vocab, pool, QUIET);
    }

    /** Stopping, saving and resuming gives exactly the parameters of an uninterrupted run. */
    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path dir) {
        BpeVocabulary vocab = new BpeTrainer(290).train(List.of(ExportRoundTripTest.TEXT), null);
        TokenStreams data = TokenStreams.encode(List.of(TrainingCorpus.split("t", ExportRoundTripTest.TEXT, 4)), vocab);
        try (WorkerPool pool = new WorkerPool(2)) {
            Trainer straight = fresh(6, vocab, data, pool);
            assertThat(straight.run(new AtomicBoolean(), null)).isTrue();

            Path ckpt = dir.resolve("run.ckpt");
            Trainer first = fresh(6, vocab, data, pool);
            for (int i = 0; i < 3; i++) first.trainStep();
            assertThat(first.run(new AtomicBoolean(true), ckpt)).as("a stop request ends the run unfinished").isFalse();
            assertThat(ckpt).exists();

            Checkpoint.Contents c = Checkpoint.load(ckpt);
            assertThat(c.state().step()).isEqualTo(3);
            Trainer resumed = new Trainer(c, data, pool, QUIET);
            assertThat(resumed.run(new AtomicBoolean(), null)).isTrue();
            assertThat(resumed.state().step()).isEqualTo(6);
            assertThat(resumed.parameters()).containsExactly(straight.parameters());
        }
    }

    @Test
    void corruptCheckpointsAreRejectedWithAMessage(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.ckpt");
        Files.write(bad, new byte[]{'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        assertThatThrownBy(() -> Checkpoint.load(bad)).isInstanceOf(RuntimeException.class).hasMessageContaining("bad.ckpt");
        assertThatThrownBy(() -> Checkpoint.load(dir.resolve("missing.ckpt"))).hasMessageContaining("not found");
    }
}
