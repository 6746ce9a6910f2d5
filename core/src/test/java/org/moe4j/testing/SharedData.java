package org.moe4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the shared conformance data: the {@code moe4j.shared} system property (set by the build to
 * {@code ../shared} beside the checkout), else the nearest ancestor folder holding {@code shared/conformance}.
 * Missing data is an error, never a skip.
 */
public final class SharedData {
    private static Path root;

    private SharedData() {
    }

    public static synchronized Path root() {
        if (root != null) return root;
        String prop = System.getProperty("moe4j.shared");
        if (prop != null && Files.isDirectory(Paths.get(prop, "conformance"))) {
            return root = Paths.get(prop).toAbsolutePath().normalize();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/conformance"))) {
                return root = p.resolve("shared").normalize();
            }
        }
        throw new IllegalStateException("shared conformance data not found: set -Dmoe4j.shared or place it at ../shared beside the checkout");
    }

    public static Path conformance() {
        return root().resolve("conformance");
    }

    public static Path models() {
        return conformance().resolve("models");
    }

    public static float[] readF32(Path p) {
        try {
            byte[] b = Files.readAllBytes(p);
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
