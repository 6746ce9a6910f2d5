package org.moe4j.cli.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Resolves the model a command should use: the one given, or the bundled default. */
public final class ModelPaths {
    public static final String DEFAULT_MODEL = "models/moe4j-default.gguf";

    private ModelPaths() {
    }

    public static Path resolve(Path given) {
        if (given != null) {
            if (!Files.exists(given)) {
                throw new IllegalArgumentException("model file not found: " + given);
            }
            return given;
        }
        String home = System.getProperty("moe4j.home");
        Path p = home != null ? Paths.get(home).resolve(DEFAULT_MODEL) : Paths.get(DEFAULT_MODEL);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("the bundled default model " + p + " is missing; pass --model FILE");
        }
        return p;
    }
}
