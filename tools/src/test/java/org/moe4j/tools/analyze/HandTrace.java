package org.moe4j.tools.analyze;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small trace written by hand: 4 experts, MoE blocks 0 and 1, two experts per token, a sequence of four
 * tokens and one of two. The expected figures in the tests are worked out by hand from these selections.
 */
final class HandTrace {
    /** [token][layer] selections, tokens in order: seq 0 pos 0..3, seq 1 pos 0..1. */
    static final int[][][] SELECTIONS = {
            {{0, 1}, {2, 3}},
            {{0, 2}, {2, 3}},
            {{1, 0}, {3, 2}},
            {{3, 0}, {1, 2}},
            {{0, 1}, {2, 3}},
            {{2, 0}, {3, 1}},
    };
    static final int[] SEQ = {0, 0, 0, 0, 1, 1};
    static final int[] POS = {0, 1, 2, 3, 0, 1};
    static final String[] TEXT = {"In", " the", " <b>beginning</b>", "\"", "And", " God"};

    private HandTrace() {
    }

    /** Writes the trace as JSONL, layer by layer as the writer orders a batch, with weights 0.6 / 0.4. */
    static Path write(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int layer = 0; layer < 2; layer++) {
            for (int t = 0; t < SELECTIONS.length; t++) {
                int[] e = SELECTIONS[t][layer];
                b.append("{\"seq\":").append(SEQ[t]).append(",\"slot\":0,\"pos\":").append(POS[t]).append(",\"token\":").append(100 + t)
                        .append(",\"text\":\"").append(TEXT[t].replace("\"", "\\\"")).append("\",\"layer\":").append(layer)
                        .append(",\"n_expert\":4,\"experts\":[").append(e[0]).append(',').append(e[1]).append("],\"weights\":[0.6,0.4]}\n");
            }
        }
        Files.writeString(file, b.toString());
        return file;
    }
}
