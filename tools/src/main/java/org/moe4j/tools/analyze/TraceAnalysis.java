package org.moe4j.tools.analyze;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.moe4j.trace.RoutingTrace;

/** The analysis of one trace, or of two side by side: summaries, token views and their comparison. */
public record TraceAnalysis(List<TraceSummary> summaries, List<TokenView> tokenViews, TraceComparison comparison) {

    /**
     * @param detailLayer block whose expert-by-expert matrices are always kept (-1: the first MoE layer)
     * @param windows     window lengths for local consistency (null: powers of two up to the longest sequence)
     * @param tokenLimit  tokens shown in the per-token view
     */
    public record Options(int detailLayer, int[] windows, int tokenLimit) {
        public static Options defaults() {
            return new Options(-1, null, 400);
        }
    }

    public static TraceAnalysis of(List<RoutingTrace> traces, List<String> labels, Options o) {
        if (traces.isEmpty() || traces.size() > 2) throw new IllegalArgumentException("analyze takes one trace, or two to compare");
        List<TraceSummary> summaries = new ArrayList<>();
        List<TokenView> views = new ArrayList<>();
        for (int i = 0; i < traces.size(); i++) {
            RoutingTrace tr = traces.get(i);
            if (tr.records().isEmpty()) throw new IllegalArgumentException("trace " + labels.get(i) + " holds no routing records");
            RoutingTable t = RoutingTable.of(tr);
            int[] windows = o.windows() != null ? o.windows() : TraceSummary.defaultWindows(t);
            summaries.add(TraceSummary.of(labels.get(i), tr.header().model(), tr.header().topK(), t, o.detailLayer(), windows));
            views.add(TokenView.of(labels.get(i), tr, t, o.tokenLimit()));
        }
        TraceComparison cmp = summaries.size() == 2 ? TraceComparison.of(summaries.get(0), summaries.get(1)) : null;
        return new TraceAnalysis(summaries, views, cmp);
    }

    public void writeHtml(Path file) {
        new HtmlReport(summaries, tokenViews, comparison).write(file);
    }

    public List<Path> writeImages(Path dir) {
        return ChartImages.write(dir, summaries, comparison);
    }

    /** The JSON summary: every figure of the report (NaN, for a measure without data, is written as "NaN"). */
    public void writeJson(Path file) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("traces", summaries);
        d.put("comparison", comparison);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
