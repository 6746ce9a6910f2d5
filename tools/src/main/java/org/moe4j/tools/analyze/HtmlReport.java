package org.moe4j.tools.analyze;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The self-contained HTML report: ECharts and the data inlined, so it opens in a browser with no network.
 * Charts are drawn by report.js from the JSON data; the tables are written here, so their numbers are
 * in the page even without scripts.
 */
public final class HtmlReport {
    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    private static final ObjectMapper JSON = new ObjectMapper(); // NaN (an undefined measure) becomes the string "NaN"

    private final List<TraceSummary> traces;
    private final List<TokenView> views;
    private final TraceComparison comparison;
    private final StringBuilder out = new StringBuilder(1 << 16);

    public HtmlReport(List<TraceSummary> traces, List<TokenView> views, TraceComparison comparison) {
        if (traces.isEmpty()) throw new IllegalArgumentException("nothing to report");
        this.traces = traces;
        this.views = views;
        this.comparison = comparison;
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, render(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    String render() {
        out.setLength(0);
        String title = "moe4j routing report: " + String.join(" vs ", traces.stream().map(TraceSummary::label).toList());
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title)).append("</title>\n");
        out.append("<style>\n").append(resource("report.css")).append("</style>\n");
        out.append("<script>\n").append(resource("errors.js")).append("</script>\n");
        out.append("<script>\n").append(echarts()).append("\n</script>\n</head>\n<body>\n");
        out.append("<div id=\"moe4j-errors\"></div>\n<h1>").append(esc(title)).append("</h1>\n");
        overview();
        load();
        balance();
        coActivation();
        transitions();
        windows();
        tokenView();
        if (comparison != null) comparisonSection();
        out.append("<div id=\"moe4j-status\">rendering...</div>\n");
        out.append("<script type=\"application/json\" id=\"moe4j-data\">").append(data()).append("</script>\n");
        out.append("<script>\n").append(resource("report.js")).append("</script>\n</body></html>\n");
        return out.toString();
    }

    private void overview() {
        out.append("<h2 id=\"overview\">Overview</h2>\n<table id=\"overview-table\"><tr><th></th>");
        for (TraceSummary t : traces) out.append("<th>").append(esc(t.label())).append("</th>");
        out.append("</tr>\n");
        row("model", t -> esc(t.model()));
        row("tokens", t -> Integer.toString(t.tokens()));
        row("sequences", t -> Integer.toString(t.sequences()));
        row("MoE layers", t -> Integer.toString(t.moeLayers().length));
        row("experts per layer", t -> Integer.toString(t.experts()));
        row("trained experts per token", t -> t.topK() > 0 ? Integer.toString(t.topK()) : "unknown");
        row("average active experts per token and layer", t -> num(t.averageActiveExperts(), 3));
        out.append("</table>\n");
    }

    private interface Cell {
        String of(TraceSummary t);
    }

    private void row(String name, Cell cell) {
        out.append("<tr><th>").append(esc(name)).append("</th>");
        for (TraceSummary t : traces) out.append("<td>").append(cell.of(t)).append("</td>");
        out.append("</tr>\n");
    }

    private void load() {
        out.append("<h2 id=\"load\">Expert load per layer</h2>\n<p class=\"note\">Share of the tokens that routed to each expert, per MoE layer. "
                + "With k experts per token the shares of a layer add up to k.</p>\n<div class=\"row\">");
        for (int i = 0; i < traces.size(); i++) out.append("<div><div class=\"chart tall\" id=\"chart-load-").append(i).append("\"></div></div>");
        out.append("</div>\n");
    }

    private void balance() {
        out.append("<h2 id=\"balance\">Load balance</h2>\n<p class=\"note\">Per layer over the expert loads (selections per expert): "
                + "coefficient of variation (standard deviation / mean; 0 = even), max / mean, entropy of the load shares in bits and "
                + "normalised by log2(experts) (1 = even). Dead experts were never selected; dominant ones took at least "
                + LayerBalance.DOMINANT_FACTOR + " times the mean load.</p>\n<div class=\"chart\" id=\"chart-balance\"></div>\n<div class=\"row\">");
        for (int i = 0; i < traces.size(); i++) {
            TraceSummary t = traces.get(i);
            out.append("<div><table class=\"balance\" id=\"balance-table-").append(i).append("\"><caption>").append(esc(t.label()))
                    .append("</caption><tr><th>layer</th><th>active experts</th><th>CV</th><th>max/mean</th><th>entropy (bits)</th><th>normalised</th>"
                            + "<th>dead</th><th>dominant</th></tr>\n");
            for (int li = 0; li < t.balance().size(); li++) {
                LayerBalance b = t.balance().get(li);
                out.append("<tr><td>").append(b.layer()).append("</td>");
                metric(i, b.layer(), "activeExperts", t.activeExperts()[li], 3);
                metric(i, b.layer(), "cv", b.cv(), 4);
                metric(i, b.layer(), "maxOverMean", b.maxOverMean(), 3);
                metric(i, b.layer(), "entropyBits", b.entropyBits(), 4);
                metric(i, b.layer(), "normalizedEntropy", b.normalizedEntropy(), 4);
                out.append("<td class=\"text\" data-trace=\"").append(i).append("\" data-layer=\"").append(b.layer())
                        .append("\" data-metric=\"dead\">").append(list(b.dead())).append("</td>");
                out.append("<td class=\"text\" data-trace=\"").append(i).append("\" data-layer=\"").append(b.layer())
                        .append("\" data-metric=\"dominant\">").append(list(b.dominant())).append("</td></tr>\n");
            }
            out.append("</table></div>");
        }
        out.append("</div>\n");
    }

    private void coActivation() {
        int[] layers = traces.getFirst().matrixLayers();
        out.append("<h2 id=\"coactivation\">Co-activation within a layer</h2>\n<p class=\"note\">Tokens that selected both experts "
                + "(row and column) in the same layer; the diagonal (an expert's own load) is left out.</p>\n<label>layer");
        select("select-coact", layers, false);
        out.append("</label>\n<div class=\"row\">");
        for (int i = 0; i < traces.size(); i++) out.append("<div><div class=\"chart tall\" id=\"chart-coact-").append(i).append("\"></div></div>");
        out.append("</div>\n");
    }

    private void transitions() {
        out.append("<h2 id=\"transitions\">Transition affinity between consecutive layers</h2>\n<p class=\"note\">How well a layer's "
                + "choice predicts the next MoE layer's. Top-1 accuracy: how often the next layer's best expert is the one that most "
                + "often follows this layer's best expert (baseline: always guessing the next layer's most frequent best expert). "
                + "Normalised MI: mutual information of the two best experts over the next one's entropy. Set recall: share of the "
                + "next layer's selection found by ranking experts by their co-occurrence counts with this layer's selection. "
                + "All fitted and scored on the same tokens.</p>\n<div class=\"chart\" id=\"chart-transitions\"></div>\n");
        TraceSummary first = traces.getFirst();
        int[] from = first.transitions().stream().filter(x -> x.counts() != null).mapToInt(LayerTransition::from).toArray();
        if (from.length > 0) {
            out.append("<label>from layer");
            select("select-transition", from, false);
            out.append("</label>\n<div class=\"row\">");
            for (int i = 0; i < traces.size(); i++) out.append("<div><div class=\"chart tall\" id=\"chart-transition-").append(i).append("\"></div></div>");
            out.append("</div>\n");
        }
        for (int i = 0; i < traces.size(); i++) {
            TraceSummary t = traces.get(i);
            out.append("<table class=\"transitions\" id=\"transition-table-").append(i).append("\"><caption>").append(esc(t.label()))
                    .append("</caption><tr><th>layers</th><th>top-1 accuracy</th><th>baseline</th><th>MI (bits)</th><th>normalised MI</th><th>set recall</th></tr>\n");
            for (LayerTransition x : t.transitions()) {
                out.append("<tr><td>").append(x.from()).append("&rarr;").append(x.to()).append("</td>");
                metric(i, x.from(), "top1Accuracy", x.top1Accuracy(), 4);
                metric(i, x.from(), "top1Baseline", x.top1Baseline(), 4);
                metric(i, x.from(), "mutualInformation", x.mutualInformation(), 4);
                metric(i, x.from(), "normalizedMutualInformation", x.normalizedMutualInformation(), 4);
                metric(i, x.from(), "setRecall", x.setRecall(), 4);
                out.append("</tr>\n");
            }
            out.append("</table>\n");
        }
    }

    private void windows() {
        out.append("<h2 id=\"windows\">Local routing consistency</h2>\n<p class=\"note\">Distinct experts a window of w consecutive "
                + "tokens of one sequence needs per layer: the expert-cache size that serves the whole window. Mean over every window "
                + "position (and the maximum in the table). Compare with w &times; k, the count if windows shared no expert.</p>\n"
                + "<div class=\"chart\" id=\"chart-windows\"></div>\n");
        for (int i = 0; i < traces.size(); i++) {
            TraceSummary t = traces.get(i);
            out.append("<table class=\"windows\" id=\"window-table-").append(i).append("\"><caption>").append(esc(t.label()))
                    .append(": mean / max distinct experts</caption><tr><th>window</th>");
            for (int l : t.moeLayers()) out.append("<th>L").append(l).append("</th>");
            out.append("</tr>\n");
            for (WindowConsistency w : t.windows()) {
                out.append("<tr><td>").append(w.window()).append("</td>");
                for (int li = 0; li < t.moeLayers().length; li++) {
                    out.append("<td data-trace=\"").append(i).append("\" data-layer=\"").append(t.moeLayers()[li])
                            .append("\" data-window=\"").append(w.window()).append("\" data-metric=\"meanDistinct\" data-value=\"")
                            .append(w.meanDistinct()[li]).append("\" data-max=\"").append(w.maxDistinct()[li]).append("\">")
                            .append(num(w.meanDistinct()[li], 2)).append(" / ").append(w.windows() > 0 ? Integer.toString(w.maxDistinct()[li]) : "-")
                            .append("</td>");
                }
                out.append("</tr>\n");
            }
            out.append("</table>\n");
        }
    }

    private void tokenView() {
        out.append("<h2 id=\"tokens\">Tokens by expert</h2>\n<p class=\"note\">The text coloured by the best expert each token chose at "
                + "the selected layer (hover for all its experts and weights).</p>\n<label>layer");
        select("select-tokens", views.isEmpty() ? new int[0] : views.getFirst().layers(), true);
        out.append("</label>\n");
        for (int i = 0; i < views.size(); i++) {
            out.append("<h3>").append(esc(views.get(i).label())).append("</h3><div class=\"legend\" id=\"tokens-legend-").append(i)
                    .append("\"></div><div class=\"tokens\" id=\"tokens-").append(i).append("\"></div>\n");
        }
    }

    private void comparisonSection() {
        out.append("<h2 id=\"comparison\">Comparison</h2>\n<p class=\"note\">").append(esc(comparison.a())).append(" vs ")
                .append(esc(comparison.b())).append(": Jensen-Shannon divergence of the load shares per layer (0 = same, 1 = disjoint) "
                        + "and the overlap of the busiest experts.</p>\n<div class=\"chart\" id=\"chart-compare\"></div>\n"
                        + "<table id=\"compare-table\"><tr><th>layer</th><th>JS divergence (bits)</th><th>busiest-expert overlap</th></tr>\n");
        for (int i = 0; i < comparison.layers().length; i++) {
            int l = comparison.layers()[i];
            out.append("<tr><td>").append(l).append("</td>");
            metric(-1, l, "loadJensenShannonBits", comparison.loadJensenShannonBits()[i], 4);
            metric(-1, l, "topExpertOverlap", comparison.topExpertOverlap()[i], 3);
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private void metric(int trace, int layer, String name, double v, int decimals) {
        out.append("<td data-trace=\"").append(trace).append("\" data-layer=\"").append(layer).append("\" data-metric=\"")
                .append(name).append("\" data-value=\"").append(v).append("\">").append(num(v, decimals)).append("</td>");
    }

    /** A drop-down of layers; its values are the block indices, or with {@code byIndex} the positions in the list. */
    private void select(String id, int[] layers, boolean byIndex) {
        out.append("<select id=\"").append(id).append("\">");
        for (int i = 0; i < layers.length; i++) {
            out.append("<option value=\"").append(byIndex ? i : layers[i]).append("\">L").append(layers[i]).append("</option>");
        }
        out.append("</select>");
    }

    private String data() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("traces", traces);
        d.put("tokenViews", views);
        d.put("comparison", comparison);
        try {
            // '<' only occurs inside JSON strings, where \u003c means the same: nothing can close the script element
            return JSON.writeValueAsString(d).replace("<", "\\u003c");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String echarts() {
        try (InputStream in = HtmlReport.class.getResourceAsStream(ECHARTS)) {
            if (in == null) throw new IllegalStateException("the ECharts library " + ECHARTS + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("</script", "<\\/script");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String list(int[] xs) {
        if (xs.length == 0) return "-";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            if (i > 0) b.append(", ");
            b.append(xs[i]);
        }
        return b.toString();
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
