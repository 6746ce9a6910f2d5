package org.moe4j.trace;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** The two encodings of a routing trace; see docs/trace-format.md. */
public enum TraceFormat {
    /** Compact little-endian records after a header. */
    BINARY,
    /** One JSON object per token and layer. */
    JSONL;

    static final byte[] MAGIC = "MOE4JTRC".getBytes(StandardCharsets.US_ASCII);
    /** Records as first defined. */
    static final int VERSION = 1;
    /** Routing records also carry the cross-layer gate's prediction (header {@code "predictions": true}). */
    static final int VERSION_PREDICTIONS = 2;
    static final byte TAG_TOKEN = 1;
    static final byte TAG_ROUTING = 2;

    /** JSONL for names ending in {@code .jsonl}, binary otherwise. */
    public static TraceFormat forPath(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl") ? JSONL : BINARY;
    }
}
