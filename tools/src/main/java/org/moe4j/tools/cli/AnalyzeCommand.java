package org.moe4j.tools.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.moe4j.tools.analyze.LayerBalance;
import org.moe4j.tools.analyze.TraceAnalysis;
import org.moe4j.tools.analyze.TraceSummary;
import org.moe4j.trace.RoutingTrace;
import org.moe4j.trace.RoutingTraceReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Analyze a routing trace (written with --trace): expert load and balance per layer, dead and dominant "
                + "experts, co-activation, transition affinity between layers, local routing consistency and a per-token view. "
                + "Give two traces to compare them side by side.",
                "Writes a self-contained HTML report (--html) with PNG images of its charts, and a JSON summary (--json)."})
public final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(arity = "1..2", paramLabel = "TRACE", description = "Trace file(s), binary or JSONL")
    List<Path> traces;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the HTML report here")
    Path html;

    @Option(names = "--png", paramLabel = "DIR", description = "Folder for the PNG charts (default: beside the report, <name>-charts)")
    Path png;

    @Option(names = "--no-png", description = "Do not write PNG images")
    boolean noPng;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON summary here")
    Path json;

    @Option(names = "--label", paramLabel = "NAME", description = "Name of each trace in the report (default: the file names)")
    List<String> labels;

    @Option(names = "--layer", paramLabel = "BLOCK", defaultValue = "-1",
            description = "Block whose co-activation and transition matrices are always included (default: the first MoE layer)")
    int layer;

    @Option(names = "--windows", split = ",", paramLabel = "W", description = "Window lengths for routing consistency (default: 1,2,4,... up to the longest sequence)")
    int[] windows;

    @Option(names = "--tokens", defaultValue = "400", paramLabel = "N", description = "Tokens shown in the per-token view (default: ${DEFAULT-VALUE})")
    int tokens;

    @Override
    public Integer call() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < traces.size(); i++) {
            names.add(labels != null && i < labels.size() ? labels.get(i) : traces.get(i).getFileName().toString());
        }
        if (names.size() == 2 && names.get(0).equals(names.get(1))) {
            names.set(0, names.get(0) + " (1)");
            names.set(1, names.get(1) + " (2)");
        }
        List<RoutingTrace> read = new ArrayList<>();
        for (Path p : traces) read.add(RoutingTraceReader.read(p));
        TraceAnalysis a = TraceAnalysis.of(read, names, new TraceAnalysis.Options(layer, windows, tokens));
        printSummary(a);
        if (html != null) {
            a.writeHtml(html);
            System.err.println("wrote " + html);
            if (!noPng) {
                Path dir = png != null ? png : html.resolveSibling(html.getFileName().toString().replaceFirst("\\.html?$", "") + "-charts");
                System.err.println("wrote " + a.writeImages(dir).size() + " chart images to " + dir);
            }
        } else if (png != null && !noPng) {
            System.err.println("wrote " + a.writeImages(png).size() + " chart images to " + png);
        }
        if (json != null) {
            a.writeJson(json);
            System.err.println("wrote " + json);
        }
        return 0;
    }

    private static void printSummary(TraceAnalysis a) {
        for (TraceSummary s : a.summaries()) {
            System.out.printf(Locale.ROOT, "%s: %s, %d tokens in %d sequences, %d MoE layers x %d experts, %.3f active experts per token and layer%n",
                    s.label(), s.model(), s.tokens(), s.sequences(), s.moeLayers().length, s.experts(), s.averageActiveExperts());
            System.out.printf(Locale.ROOT, "  %-6s %8s %9s %10s %6s %9s%n", "layer", "CV", "max/mean", "entropy", "dead", "dominant");
            for (LayerBalance b : s.balance()) {
                System.out.printf(Locale.ROOT, "  %-6d %8.4f %9.3f %10.4f %6d %9d%n", b.layer(), b.cv(), b.maxOverMean(), b.normalizedEntropy(),
                        b.dead().length, b.dominant().length);
            }
        }
    }
}
