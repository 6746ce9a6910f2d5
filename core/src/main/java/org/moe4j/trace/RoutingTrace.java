package org.moe4j.trace;

import java.util.List;
import java.util.Map;

/**
 * A routing trace read back into memory: its header, the text of each token id it knows and the records
 * in file order.
 */
public record RoutingTrace(TraceHeader header, Map<Integer, String> tokenTexts, List<TraceRecord> records) {
    public RoutingTrace {
        tokenTexts = Map.copyOf(tokenTexts);
        records = List.copyOf(records);
    }

    /** The text of a token, or null when the trace has none. */
    public String text(int token) {
        return tokenTexts.get(token);
    }
}
