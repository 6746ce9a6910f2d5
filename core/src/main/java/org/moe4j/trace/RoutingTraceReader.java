package org.moe4j.trace;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Reads a routing trace in either format, recognised by its content (the binary magic) rather than its name. */
public final class RoutingTraceReader {
    // decimals straight to float: through double, a rare value would round twice and come back one ulp off
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private RoutingTraceReader() {
    }

    public static RoutingTrace read(Path path) {
        try {
            return isBinary(path) ? readBinary(path) : readJsonl(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trace " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean isBinary(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(TraceFormat.MAGIC.length), TraceFormat.MAGIC);
        }
    }

    private static RoutingTrace readBinary(Path path) throws IOException {
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(path)) {
            b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            b.position(TraceFormat.MAGIC.length);
            int version = b.getInt();
            if (version != TraceFormat.VERSION && version != TraceFormat.VERSION_PREDICTIONS) {
                throw new IOException("trace format version " + version + " is not supported (this moe4j reads "
                        + TraceFormat.VERSION + " and " + TraceFormat.VERSION_PREDICTIONS + ")");
            }
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) throw new IOException("corrupt trace: a header of " + length + " bytes in a file of " + b.limit());
            byte[] json = new byte[length];
            b.get(json);
            TraceHeader header = JSON.readValue(json, TraceHeader.class);
            if (header.predictions() != (version == TraceFormat.VERSION_PREDICTIONS)) {
                throw new IOException("corrupt trace: format version " + version + " with a header that says predictions: " + header.predictions());
            }
            Map<Integer, String> texts = new HashMap<>();
            List<TraceRecord> records = new ArrayList<>();
            TraceCodec.readAll(b, header.scores(), header.predictions(), new TraceCodec.Visitor() {
                @Override
                public void token(TraceCodec.TokenText t) {
                    texts.put(t.token(), t.text());
                }

                @Override
                public void routing(TraceRecord r) {
                    records.add(r);
                }
            });
            return new RoutingTrace(header, texts, records);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("the trace ends in the middle of a record (truncated file?)", e);
        }
    }

    private static RoutingTrace readJsonl(Path path) throws IOException {
        Map<Integer, String> texts = new HashMap<>();
        List<TraceRecord> records = new ArrayList<>();
        TreeSet<Integer> layers = new TreeSet<>();
        int experts = 0;
        boolean scores = true;
        boolean predictions = false;
        long line = 0;
        try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(path.toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                line++;
                TraceRecord r = record(n, line);
                records.add(r);
                if (n.hasNonNull("text")) texts.putIfAbsent(r.token(), n.get("text").asText());
                layers.add(r.layer());
                experts = Math.max(experts, r.nExpert());
                scores &= r.scores() != null;
                predictions |= r.predicted() != null;
            }
        }
        int blocks = layers.isEmpty() ? 0 : layers.last() + 1;
        int[] moe = layers.stream().mapToInt(Integer::intValue).toArray();
        TraceHeader h = new TraceHeader(path.getFileName().toString(), "", blocks, experts, 0, moe, scores && !records.isEmpty(), predictions);
        return new RoutingTrace(h, texts, records);
    }

    private static TraceRecord record(JsonNode n, long line) throws IOException {
        for (String f : new String[]{"pos", "token", "layer", "experts", "weights"}) {
            if (!n.has(f)) throw new IOException("record " + line + " has no '" + f + "'");
        }
        int[] experts = ints(n.get("experts"));
        float[] weights = floats(n.get("weights"));
        if (weights.length != experts.length) {
            throw new IOException("record " + line + " has " + experts.length + " experts but " + weights.length + " weights");
        }
        float[] scores = n.hasNonNull("scores") ? floats(n.get("scores")) : null;
        int maxId = -1;
        for (int e : experts) maxId = Math.max(maxId, e);
        int nExpert = n.has("n_expert") ? n.get("n_expert").asInt() : scores != null ? scores.length : maxId + 1;
        int[] predicted = n.hasNonNull("predicted") ? ints(n.get("predicted")) : null;
        if (predicted != null) {
            for (int e : predicted) {
                if (e < 0 || e >= nExpert) throw new IOException("record " + line + " predicts expert " + e + " of " + nExpert);
            }
        }
        return new TraceRecord(n.path("seq").asInt(0), n.path("slot").asInt(0), n.get("pos").asInt(), n.get("token").asInt(),
                n.get("layer").asInt(), nExpert, experts, weights, scores, predicted);
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    private static float[] floats(JsonNode a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).isNull() ? Float.NaN : Float.parseFloat(a.get(i).asText());
        return r;
    }
}
