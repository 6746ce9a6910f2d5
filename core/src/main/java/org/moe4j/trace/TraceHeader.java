package org.moe4j.trace;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import org.moe4j.model.Model;
import org.moe4j.moe.MoeFeedForward;

/**
 * What a routing trace was recorded from: stored at the start of a binary trace, and derived from the
 * records when a JSONL trace is read.
 *
 * @param model      the model's name ({@code general.name}) or the trace's file name
 * @param blocks     number of blocks of the model
 * @param experts    routed experts per MoE layer
 * @param topK       experts per token as trained (0 when unknown)
 * @param moeLayers  indices of the blocks with routed experts
 * @param scores     whether every routing record carries all experts' gating scores
 * @param predictions whether routing records carry the cross-layer gate's prediction (format version 2)
 */
public record TraceHeader(String model, String architecture, int blocks, int experts, int topK, int[] moeLayers,
                          boolean scores,
                          // left out of version-1 headers, which readers of that version know without it
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean predictions) {

    public TraceHeader {
        moeLayers = moeLayers.clone();
    }

    public TraceHeader(String model, String architecture, int blocks, int experts, int topK, int[] moeLayers, boolean scores) {
        this(model, architecture, blocks, experts, topK, moeLayers, scores, false);
    }

    public static TraceHeader of(Model m, boolean scores) {
        return of(m, scores, false);
    }

    public static TraceHeader of(Model m, boolean scores, boolean predictions) {
        List<Integer> moe = new ArrayList<>();
        for (int l = 0; l < m.blockCount(); l++) {
            if (m.block(l).feedForward() instanceof MoeFeedForward) moe.add(l);
        }
        return new TraceHeader(m.config().name, m.config().architecture, m.blockCount(), m.config().expertCount,
                m.config().expertUsedCount, moe.stream().mapToInt(Integer::intValue).toArray(), scores, predictions);
    }

    @Override
    public int[] moeLayers() {
        return moeLayers.clone();
    }
}
