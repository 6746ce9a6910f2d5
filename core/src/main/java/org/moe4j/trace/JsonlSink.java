package org.moe4j.trace;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Turns the writer's binary records into one JSON object per line. */
final class JsonlSink implements TraceSink, TraceCodec.Visitor {
    private final BufferedWriter out;
    private final boolean scores;
    private final boolean predictions;
    private final Map<Integer, String> texts = new HashMap<>();
    private final StringBuilder line = new StringBuilder(256);

    JsonlSink(Path path, TraceHeader header) throws IOException {
        out = Files.newBufferedWriter(path);
        scores = header.scores();
        predictions = header.predictions();
    }

    @Override
    public void write(ByteBuffer b) throws IOException {
        TraceCodec.readAll(b, scores, predictions, this);
    }

    @Override
    public void token(TraceCodec.TokenText t) {
        texts.put(t.token(), t.text());
    }

    @Override
    public void routing(TraceRecord r) {
        format(r);
        try {
            out.append(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void format(TraceRecord r) {
        StringBuilder s = line;
        s.setLength(0);
        s.append("{\"seq\":").append(r.seq()).append(",\"slot\":").append(r.slot()).append(",\"pos\":").append(r.pos())
                .append(",\"token\":").append(r.token());
        String text = texts.get(r.token());
        if (text != null) {
            s.append(",\"text\":\"");
            JsonStringEncoder.getInstance().quoteAsString(text, s);
            s.append('"');
        }
        s.append(",\"layer\":").append(r.layer()).append(",\"n_expert\":").append(r.nExpert()).append(",\"experts\":");
        ints(s, r.experts());
        s.append(",\"weights\":");
        floats(s, r.weights());
        if (r.scores() != null) {
            s.append(",\"scores\":");
            floats(s, r.scores());
        }
        if (r.predicted() != null) {
            s.append(",\"predicted\":");
            ints(s, r.predicted());
        }
        s.append("}\n");
    }

    private static void ints(StringBuilder s, int[] v) {
        s.append('[');
        for (int j = 0; j < v.length; j++) {
            if (j > 0) s.append(',');
            s.append(v[j]);
        }
        s.append(']');
    }

    private static void floats(StringBuilder s, float[] v) {
        s.append('[');
        for (int j = 0; j < v.length; j++) {
            if (j > 0) s.append(',');
            float f = v[j];
            // JSON has no NaN or infinity; a non-finite weight would be a bug upstream, keep the line parseable
            if (Float.isFinite(f)) s.append(f);
            else s.append("null");
        }
        s.append(']');
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
