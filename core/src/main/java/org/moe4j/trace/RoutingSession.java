package org.moe4j.trace;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.moe4j.model.Model;
import org.moe4j.moe.CrossLayerGate;
import org.moe4j.moe.policy.ActiveExpertStats;
import org.moe4j.moe.policy.CompositePolicy;
import org.moe4j.moe.policy.RoutingPolicies;

/**
 * What a command installs on a model for one run: the routing policy from its {@code --policy} specs,
 * active-expert statistics and, with {@code --trace}, a trace writer. Closing removes them all and
 * finishes the trace file.
 */
public final class RoutingSession implements AutoCloseable {
    private final Model model;
    private final CompositePolicy policy;
    private final ActiveExpertStats stats = new ActiveExpertStats();
    private final RoutingTraceWriter trace;
    private final CrossLayerGate.Subscription gate;

    private RoutingSession(Model model, CompositePolicy policy, RoutingTraceWriter trace, CrossLayerGate.Subscription gate) {
        this.model = model;
        this.policy = policy;
        this.trace = trace;
        this.gate = gate;
    }

    /**
     * @param policySpecs specs for {@link RoutingPolicies#parse(List)} (empty: the trained routing)
     * @param tracePath   where to write the trace (JSONL if it ends in .jsonl), or null for none
     * @param scores      store every expert's gating score in the trace
     * @param tokenText   a token's text for the trace, or null
     */
    public static RoutingSession install(Model model, List<String> policySpecs, Path tracePath, boolean scores,
                                         IntFunction<String> tokenText) {
        return install(model, policySpecs, tracePath, scores, false, tokenText);
    }

    /**
     * @param predictions also record, with each MoE block's records, the experts the cross-layer gate
     *                    predicted for it one block earlier (what the expert cache prefetches), so that
     *                    {@code cache-sim} can replay prefetching
     */
    public static RoutingSession install(Model model, List<String> policySpecs, Path tracePath, boolean scores,
                                         boolean predictions, IntFunction<String> tokenText) {
        CompositePolicy policy = RoutingPolicies.parse(policySpecs == null ? List.of() : policySpecs);
        RoutingTraceWriter w = tracePath == null ? null
                : RoutingTraceWriter.open(tracePath, TraceHeader.of(model, scores, predictions), tokenText);
        CrossLayerGate.Subscription gate = w != null && predictions ? CrossLayerGate.subscribe(model, w) : null;
        RoutingSession s = new RoutingSession(model, policy, w, gate);
        if (!policy.isEmpty()) model.routing().addPolicy(policy);
        model.routing().addObserver(s.stats);
        if (w != null) model.routing().addObserver(w);
        return s;
    }

    public CompositePolicy policy() {
        return policy;
    }

    public ActiveExpertStats stats() {
        return stats;
    }

    /** The trace writer, or null when not tracing. */
    public RoutingTraceWriter trace() {
        return trace;
    }

    @Override
    public void close() {
        model.routing().removePolicy(policy);
        model.routing().removeObserver(stats);
        if (gate != null) gate.close();
        if (trace != null) {
            model.routing().removeObserver(trace);
            trace.close();
        }
    }
}
