package org.moe4j.cli.options;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.moe4j.model.Model;
import org.moe4j.trace.RoutingSession;
import picocli.CommandLine.Option;

/** Routing policies and tracing for a command (see docs/trace-format.md and org.moe4j.moe.policy.RoutingPolicies). */
public final class RoutingOptions {
    @Option(names = "--policy", paramLabel = "SPEC",
            description = "Routing policy, repeatable: top-k=N, top-p=P[:min=N][:max=N], threshold=T, mask=E,E.., force=E,E.., "
                    + "each optionally @layer=0-3,7 (default: the trained routing)")
    List<String> policies;

    @Option(names = "--trace", paramLabel = "FILE", description = "Record every routing decision (JSONL if FILE ends in .jsonl, else binary)")
    Path trace;

    @Option(names = "--trace-scores", description = "Also record every expert's gating score in the trace")
    boolean traceScores;

    @Option(names = "--trace-predictions",
            description = "Also record the cross-layer gate's prediction of each MoE layer's experts (what the expert cache prefetches), "
                    + "so that cache-sim can replay prefetching")
    boolean tracePredictions;

    public RoutingSession install(Model m, IntFunction<String> tokenText) {
        if (trace == null && (traceScores || tracePredictions)) {
            throw new IllegalArgumentException((traceScores ? "--trace-scores" : "--trace-predictions") + " adds to a trace: give --trace FILE too");
        }
        return RoutingSession.install(m, policies, trace, traceScores, tracePredictions, tokenText);
    }

    /** Whether a trace file was asked for (token texts are then worth looking up). */
    public boolean tracing() {
        return trace != null;
    }

    /** Whether the user asked for anything, so that commands print routing statistics only then. */
    public boolean requested() {
        return trace != null || (policies != null && !policies.isEmpty());
    }
}
