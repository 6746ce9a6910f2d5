package org.moe4j.cli.options;

import java.nio.file.Path;
import org.moe4j.model.LoadOptions;
import org.moe4j.tensor.NumericMode;
import picocli.CommandLine.Option;

/** Which model to load and how. */
public final class ModelOptions {
    @Option(names = {"-m", "--model"}, description = "GGUF model file (default: the bundled model, models/moe4j-default.gguf)")
    Path model;

    @Option(names = {"-t", "--threads"}, description = "Compute threads (default: all cores)")
    Integer threads;

    @Option(names = {"-c", "--ctx"}, defaultValue = "4096", description = "Context size in tokens, capped at the model's (default: ${DEFAULT-VALUE})")
    int contextLength;

    @Option(names = "--float-activations",
            description = "Dequantize weights and use float activations instead of 8-bit activations (slower; matches 'dequantize then float32' references)")
    boolean floatActivations;

    /** Context size the user asked for (the model's own may be smaller). */
    public int contextLength() {
        return contextLength;
    }

    public Path path() {
        return ModelPaths.resolve(model);
    }

    public LoadOptions loadOptions() {
        LoadOptions o = LoadOptions.defaults().withMode(floatActivations ? NumericMode.FLOAT : NumericMode.NATIVE);
        return threads != null ? o.withThreads(threads) : o;
    }
}
