package org.moe4j.tools.analyze;

import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG images of the report's charts, drawn with JFreeChart. */
public final class ChartImages {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;

    private ChartImages() {
    }

    /** Writes every chart into {@code dir}; returns the files written. */
    public static List<Path> write(Path dir, List<TraceSummary> traces, TraceComparison comparison) {
        System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < traces.size(); i++) {
                TraceSummary t = traces.get(i);
                String suffix = traces.size() > 1 ? "-" + (char) ('a' + i) : "";
                files.add(save(dir.resolve("load" + suffix + ".png"), loadHeatmap(t)));
                if (!t.coActivation().isEmpty()) {
                    CoActivation c = t.coActivation().getFirst();
                    files.add(save(dir.resolve("coactivation-L" + c.layer() + suffix + ".png"), coActivation(t, c)));
                }
            }
            files.add(save(dir.resolve("balance.png"), balance(traces)));
            if (!traces.getFirst().transitions().isEmpty()) files.add(save(dir.resolve("transitions.png"), transitions(traces)));
            if (!traces.getFirst().windows().isEmpty()) files.add(save(dir.resolve("windows.png"), windows(traces)));
            if (comparison != null) files.add(save(dir.resolve("comparison.png"), comparison(comparison)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart images to " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    /** Saves a chart as a PNG of the report's size. */
    public static Path save(Path file, JFreeChart chart) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }

    private static JFreeChart loadHeatmap(TraceSummary t) {
        List<double[]> cells = new ArrayList<>();
        double max = 0;
        for (LayerBalance b : t.balance()) {
            for (int e = 0; e < b.load().length; e++) {
                double share = t.tokens() > 0 ? (double) b.load()[e] / t.tokens() : 0;
                cells.add(new double[]{e, b.layer(), share});
                max = Math.max(max, share);
            }
        }
        return heatmap(t.label() + ": share of tokens per expert", "expert", "layer", cells, max, "share");
    }

    private static JFreeChart coActivation(TraceSummary t, CoActivation c) {
        List<double[]> cells = new ArrayList<>();
        double max = 0;
        for (int a = 0; a < c.counts().length; a++) {
            for (int b = 0; b < c.counts().length; b++) {
                if (a == b) continue;
                cells.add(new double[]{b, a, c.counts()[a][b]});
                max = Math.max(max, c.counts()[a][b]);
            }
        }
        return heatmap(t.label() + ": co-activation at layer " + c.layer(), "expert", "expert", cells, max, "tokens");
    }

    private static JFreeChart heatmap(String title, String x, String y, List<double[]> cells, double max, String valueName) {
        double[][] data = new double[3][cells.size()];
        for (int i = 0; i < cells.size(); i++) {
            for (int d = 0; d < 3; d++) data[d][i] = cells.get(i)[d];
        }
        DefaultXYZDataset ds = new DefaultXYZDataset();
        ds.addSeries(valueName, data);
        XYBlockRenderer r = new XYBlockRenderer();
        BlueScale scale = new BlueScale(max > 0 ? max : 1);
        r.setPaintScale(scale);
        NumberAxis xa = new NumberAxis(x);
        NumberAxis ya = new NumberAxis(y);
        xa.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ya.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        xa.setLowerMargin(0);
        xa.setUpperMargin(0);
        ya.setLowerMargin(0);
        ya.setUpperMargin(0);
        XYPlot plot = new XYPlot(ds, xa, ya, r);
        plot.setBackgroundPaint(Color.WHITE);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        PaintScaleLegend legend = new PaintScaleLegend(scale, new NumberAxis(valueName));
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** White to dark blue. */
    private record BlueScale(double max) implements PaintScale {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return max;
        }

        @Override
        public Paint getPaint(double v) {
            double f = Math.max(0, Math.min(1, v / max));
            return new Color((int) (247 - 239 * f), (int) (251 - 203 * f), (int) (255 - 148 * f));
        }
    }

    private static JFreeChart balance(List<TraceSummary> traces) {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (TraceSummary t : traces) {
            String pre = traces.size() > 1 ? t.label() + " " : "";
            XYSeries cv = new XYSeries(pre + "CV"), mm = new XYSeries(pre + "max/mean"), ne = new XYSeries(pre + "normalised entropy");
            for (LayerBalance b : t.balance()) {
                cv.add(b.layer(), b.cv());
                mm.add(b.layer(), b.maxOverMean());
                ne.add(b.layer(), b.normalizedEntropy());
            }
            ds.addSeries(cv);
            ds.addSeries(mm);
            ds.addSeries(ne);
        }
        return lines("Load balance per layer", new NumberAxis("layer"), "value", ds);
    }

    private static JFreeChart transitions(List<TraceSummary> traces) {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (TraceSummary t : traces) {
            String pre = traces.size() > 1 ? t.label() + " " : "";
            XYSeries acc = new XYSeries(pre + "top-1 accuracy"), base = new XYSeries(pre + "top-1 baseline"),
                    nmi = new XYSeries(pre + "normalised MI"), rec = new XYSeries(pre + "set recall");
            for (LayerTransition x : t.transitions()) {
                acc.add(x.from(), x.top1Accuracy());
                base.add(x.from(), x.top1Baseline());
                nmi.add(x.from(), x.normalizedMutualInformation());
                rec.add(x.from(), x.setRecall());
            }
            ds.addSeries(acc);
            ds.addSeries(base);
            ds.addSeries(nmi);
            ds.addSeries(rec);
        }
        return lines("Transition affinity (layer L to the next MoE layer)", new NumberAxis("layer L"), "value", ds);
    }

    private static JFreeChart windows(List<TraceSummary> traces) {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (TraceSummary t : traces) {
            String pre = traces.size() > 1 ? t.label() + " " : "";
            XYSeries mean = new XYSeries(pre + "mean over layers");
            for (WindowConsistency w : t.windows()) {
                double s = 0;
                int n = 0;
                for (double v : w.meanDistinct()) {
                    if (!Double.isNaN(v)) {
                        s += v;
                        n++;
                    }
                }
                if (n > 0) mean.add(w.window(), s / n);
            }
            ds.addSeries(mean);
            // per-layer lines only for a readable number of layers
            if (t.moeLayers().length <= 12) {
                for (int li = 0; li < t.moeLayers().length; li++) {
                    XYSeries s = new XYSeries(pre + "L" + t.moeLayers()[li]);
                    for (WindowConsistency w : t.windows()) if (!Double.isNaN(w.meanDistinct()[li])) s.add(w.window(), w.meanDistinct()[li]);
                    ds.addSeries(s);
                }
            }
        }
        LogAxis x = new LogAxis("window (tokens)");
        x.setBase(2);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return lines("Distinct experts per window of consecutive tokens", x, "distinct experts", ds);
    }

    private static JFreeChart comparison(TraceComparison c) {
        XYSeriesCollection ds = new XYSeriesCollection();
        XYSeries js = new XYSeries("load Jensen-Shannon divergence (bits)"), ov = new XYSeries("busiest-expert overlap");
        for (int i = 0; i < c.layers().length; i++) {
            js.add(c.layers()[i], c.loadJensenShannonBits()[i]);
            ov.add(c.layers()[i], c.topExpertOverlap()[i]);
        }
        ds.addSeries(js);
        ds.addSeries(ov);
        return lines(c.a() + " vs " + c.b(), new NumberAxis("layer"), "value", ds);
    }

    /** Lines with points on a white plot: the look of every line chart moe4j draws. */
    public static JFreeChart lines(String title, org.jfree.chart.axis.ValueAxis x, String y, XYSeriesCollection ds) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        XYPlot plot = new XYPlot(ds, x, new NumberAxis(y), r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
