package org.moe4j.moe.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How often each expert was used in a run: saved after one run ({@code --save-profile}), it tells the
 * pinned-hot policy of a later run which experts to keep resident. JSON:
 * {@code {"format": "moe4j-expert-profile", "version": 1, "model": NAME, "blocks": N,
 * "layers": [{"layer": L, "counts": [c0, c1, ...]}, ...]}}, one count per routed expert of each MoE block.
 */
public final class ExpertProfile {
    public static final String FORMAT = "moe4j-expert-profile";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String model;
    private final ExpertKeys keys;
    private final long[] counts;

    public ExpertProfile(String model, ExpertKeys keys, long[] counts) {
        if (counts.length != keys.size()) throw new IllegalArgumentException(counts.length + " counts for " + keys);
        this.model = model;
        this.keys = keys;
        this.counts = counts.clone();
    }

    public String model() {
        return model;
    }

    public ExpertKeys keys() {
        return keys;
    }

    public long count(int key) {
        return counts[key];
    }

    /** Up to {@code n} keys that were used at all, most used first (ties: lower key first). */
    public int[] hottest(int n) {
        return IntStream.range(0, counts.length).boxed()
                .filter(k -> counts[k] > 0)
                .sorted(Comparator.<Integer>comparingLong(k -> -counts[k]).thenComparingInt(k -> k))
                .limit(Math.max(0, n))
                .mapToInt(Integer::intValue).toArray();
    }

    public void write(Path file) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", 1);
        o.put("model", model);
        o.put("blocks", keys.blocks());
        ArrayNode layers = o.putArray("layers");
        for (int b : keys.moeBlocks()) {
            ObjectNode l = layers.addObject();
            l.put("layer", b);
            ArrayNode c = l.putArray("counts");
            for (int e = 0; e < keys.experts(b); e++) c.add(counts[keys.key(b, e)]);
        }
        try {
            JSON.writeValue(file.toFile(), o);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the expert profile " + file + ": " + e.getMessage(), e);
        }
    }

    public static ExpertProfile read(Path file) {
        JsonNode o;
        try {
            o = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the expert profile " + file + ": " + e.getMessage(), e);
        }
        if (o == null || !FORMAT.equals(o.path("format").asText())) {
            throw new IllegalArgumentException(file + " is not an expert profile (no \"format\": \"" + FORMAT + "\")");
        }
        if (o.path("version").asInt() != 1) {
            throw new IllegalArgumentException(file + ": expert profile version " + o.path("version") + " is not supported (this moe4j reads 1)");
        }
        int blocks = o.path("blocks").asInt(-1);
        if (blocks < 1 || blocks > 100_000) throw new IllegalArgumentException(file + ": \"blocks\" must be a positive block count");
        int[] experts = new int[blocks];
        long[][] perBlock = new long[blocks][];
        for (JsonNode l : o.path("layers")) {
            int b = l.path("layer").asInt(-1);
            if (b < 0 || b >= blocks) throw new IllegalArgumentException(file + ": layer " + l.path("layer") + " outside 0.." + (blocks - 1));
            if (perBlock[b] != null) throw new IllegalArgumentException(file + ": layer " + b + " appears twice");
            JsonNode c = l.path("counts");
            if (!c.isArray() || c.isEmpty()) throw new IllegalArgumentException(file + ": layer " + b + " has no counts");
            perBlock[b] = new long[c.size()];
            for (int e = 0; e < c.size(); e++) {
                long v = c.get(e).asLong(-1);
                if (v < 0 || !c.get(e).isIntegralNumber()) throw new IllegalArgumentException(file + ": layer " + b + " count " + e + " is not a count");
                perBlock[b][e] = v;
            }
            experts[b] = c.size();
        }
        ExpertKeys keys = new ExpertKeys(experts);
        long[] counts = new long[keys.size()];
        for (int b = 0; b < blocks; b++) {
            if (perBlock[b] != null) System.arraycopy(perBlock[b], 0, counts, keys.firstKey(b), perBlock[b].length);
        }
        return new ExpertProfile(o.path("model").asText(""), keys, counts);
    }

    @Override
    public String toString() {
        return "expert profile of " + model + " (" + keys + ", " + Arrays.stream(counts).sum() + " accesses)";
    }
}
