package org.moe4j.cli;

import org.moe4j.cli.options.ModelPaths;
import org.moe4j.cli.options.RoutingOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.tensor.NumericMode;
import org.moe4j.trace.RoutingSession;
import org.moe4j.trace.TokenTexts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "logits", mixinStandardHelpOptions = true,
        description = {"Evaluate token ids and write the logits of every position as little-endian float32, "
                + "shape [n_tokens, n_vocab], row t = the distribution after token t."})
final class LogitsCommand implements Callable<Integer> {
    enum Mode { batch, sequential }

    @Option(names = {"-m", "--model"}, description = "GGUF model file (default: the bundled model)")
    Path model;

    @Option(names = "--tokens", required = true, split = ",", description = "Comma-separated token ids, e.g. 1,2,3")
    int[] tokens;

    @Option(names = "--mode", defaultValue = "batch",
            description = "batch: all tokens in one forward pass; sequential: one token per pass reusing the KV cache (default: ${DEFAULT-VALUE})")
    Mode mode;

    @Option(names = "--out", required = true, description = "Output file")
    Path out;

    @Option(names = {"-t", "--threads"}, description = "Compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--float-activations",
            description = "Dequantize weights and multiply with float activations, instead of encoding activations to 8 bits as the reference engine does")
    boolean floatActivations;

    @Option(names = "--ctx", description = "Context size (default: the number of tokens)")
    Integer ctx;

    @Mixin
    RoutingOptions routing;

    @Override
    public Integer call() throws IOException {
        LoadOptions opts = LoadOptions.defaults().withMode(floatActivations ? NumericMode.FLOAT : NumericMode.NATIVE);
        if (threads != null) opts = opts.withThreads(threads);
        try (Model m = ModelLoader.load(ModelPaths.resolve(model), opts);
             RoutingSession rs = routing.install(m, routing.tracing() ? TokenTexts.of(m.file()) : null)) {
            int v = m.vocabSize();
            int n = tokens.length;
            KVCache cache = m.newCache(1, ctx != null ? ctx : Math.max(1, n));
            float[] logits = new float[n * v];
            if (mode == Mode.batch) {
                m.forward(Batch.of(tokens, 0, 0, true), cache, logits);
            } else {
                float[] one = new float[v];
                for (int t = 0; t < n; t++) {
                    m.forward(Batch.of(new int[]{tokens[t]}, t, 0, true), cache, one);
                    System.arraycopy(one, 0, logits, t * v, v);
                }
            }
            ByteBuffer buf = ByteBuffer.allocate(logits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(logits);
            if (out.getParent() != null) Files.createDirectories(out.getParent());
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
                os.write(buf.array());
            }
            System.err.printf("wrote %d x %d logits (%s mode) to %s%n", n, v, mode, out);
            if (routing.requested()) System.err.println(rs.stats().summary());
        }
        return 0;
    }
}
