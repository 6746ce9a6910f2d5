package org.moe4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The conformance manifest: one {@link Case} per model file with its token ids, goldens and tolerances. */
public final class Manifest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode root;

    private Manifest() {
    }

    public static synchronized JsonNode root() {
        if (root == null) {
            try {
                root = JSON.readTree(SharedData.models().resolve("manifest.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    public static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root().get("cases")) out.add(new Case(c));
        return out;
    }

    public static Case get(String name) {
        return cases().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no case " + name));
    }

    public static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Case(JsonNode node) {
        public String name() { return node.get("case").asText(); }
        public String arch() { return node.get("arch").asText(); }
        public String quant() { return node.get("quant").asText(); }
        public boolean isQuantized() { return !node.get("base_case").isNull(); }
        public int vocab() { return node.get("n_vocab").asInt(); }
        public Path modelFile() { return SharedData.models().resolve(node.get("model_file").asText()); }

        public int[] tokenIds() {
            JsonNode a = node.get("token_ids");
            int[] r = new int[a.size()];
            for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
            return r;
        }

        public boolean hasFile(String key) {
            return node.get("files").has(key);
        }

        public Path file(String key) {
            return SharedData.models().resolve(node.get("files").get(key).asText()).normalize();
        }

        public float[] f32(String key) {
            return SharedData.readF32(file(key));
        }

        public JsonNode json(String key) {
            return readJson(file(key));
        }

        public double atol(String key) {
            return node.get("tolerance").get(key).get("atol").asDouble();
        }

        public double rtol(String key) {
            return node.get("tolerance").get(key).get("rtol").asDouble();
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
