package org.moe4j.tools.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.NumericMode;
import org.moe4j.tokenizer.Tokenizer;
import org.moe4j.util.WorkerPool;

/**
 * A tiny model trained for a few steps, exported as qwen3moe GGUF and loaded by moe4j's own loader: the
 * logits and expert selections of moe4j's forward pass equal the trainer's, and moe4j's tokenizer reads the
 * trained vocabulary back.
 */
class ExportRoundTripTest {
    static final String TEXT = """
            In the beginning God created the heaven and the earth.
            And the earth was without form, and void; and darkness was upon the face of the deep.
            Mr. Speaker, Mr. President, and distinguished Members of the House and Senate, honored guests,
            and fellow citizens: tonight I'm back to offer you my plans as well. America is waiting.
            """.repeat(6);

    @Test
    void moeModel(@TempDir Path dir) {
        roundTrip(dir, 4, 2, 48);
    }

    @Test
    void denseBaselineAsOneExpert(@TempDir Path dir) {
        roundTrip(dir, 1, 1, 96);
    }

    private static void roundTrip(Path dir, int experts, int topK, int hidden) {
        BpeVocabulary vocab = new BpeTrainer(300).train(List.of(TEXT), null);
        ModelShape shape = new ModelShape(vocab.size(), 32, 2, 4, 2, 8, experts, topK, hidden, 16, 10000f, 1e-6f);
        TrainingCorpus.Part part = TrainingCorpus.split("tiny", TEXT, 4);
        TokenStreams data = TokenStreams.encode(List.of(part), vocab);
        TrainSettings settings = new TrainSettings(7, 5, 0, 4, 2, 3e-3f, 0.1f, 2, 0.1f, 0.9f, 0.95f, 1f, 0.01f, 0.001f, 0, 0, 0);
        float[] trainerLogits;
        int[] tokens = vocab.encode("And God said, Let there be light: and there was light.");
        Path gguf = dir.resolve("tiny.gguf");
        int[][] selected = new int[shape.layers()][];
        try (WorkerPool pool = new WorkerPool(2)) {
            Trainer trainer = new Trainer(shape, settings, data, vocab, pool, new PrintStream(new ByteArrayOutputStream()));
            assertThat(trainer.run(new AtomicBoolean(), null)).isTrue();
            GgufExport.write(gguf, shape, trainer.parameters(), vocab, GGMLType.F32, "test");

            Transformer model = trainer.model();
            Weights w = new Weights(model.layout());
            System.arraycopy(trainer.parameters(), 0, w.values, 0, w.values.length);
            w.refresh(null);
            Activations act = model.newActivations(1);
            act.keepLogits = true;
            int n = Math.min(tokens.length, shape.context());
            for (int i = 0; i < shape.context(); i++) act.tokens[i] = tokens[i % n];
            model.forward(w, act);
            trainerLogits = java.util.Arrays.copyOf(act.logits, n * shape.vocab());
            for (int l = 0; l < shape.layers(); l++) {
                selected[l] = java.util.Arrays.copyOf(act.layers[l].routing.selected, n * shape.topK());
            }
        }
        int n = Math.min(tokens.length, shape.context());
        try (Model m = ModelLoader.load(gguf, LoadOptions.defaults().withThreads(1).withMode(NumericMode.FLOAT))) {
            assertThat(m.config().architecture).isEqualTo("qwen3moe");
            int[][] moe4jSelected = new int[shape.layers()][n * shape.topK()];
            m.routing().addObserver(d -> record(d, moe4jSelected, shape.topK()));
            float[] logits = new float[n * m.vocabSize()];
            KVCache cache = m.newCache(1, shape.context());
            m.forward(Batch.of(java.util.Arrays.copyOf(tokens, n), 0, 0, true), cache, logits);
            double maxDiff = 0;
            for (int i = 0; i < logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(logits[i] - trainerLogits[i]));
            assertThat(maxDiff).as("max |logit difference|").isLessThan(1e-4);
            assertThat(moe4jSelected).isDeepEqualTo(selected);

            Tokenizer tok = Tokenizer.fromGGUF(m.file());
            String text = "And the earth was without form; Mr. Speaker, America is waiting 1234!";
            assertThat(tok.encode(text, false, false)).containsExactly(vocab.encode(text));
            assertThat(tok.eos()).isEqualTo(vocab.eos());
        }
    }

    private static void record(RoutingDecision d, int[][] into, int k) {
        for (int j = 0; j < d.count(); j++) into[d.layer()][d.position() * k + j] = d.expert(j);
    }
}
