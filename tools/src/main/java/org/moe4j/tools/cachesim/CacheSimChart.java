package org.moe4j.tools.cachesim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.moe4j.moe.cache.CachePolicies;
import org.moe4j.moe.cache.CacheSimulator;
import org.moe4j.tools.analyze.ChartImages;

/** Hit rate against cache size for every replayed policy: {@code cache-sim --plot}. */
public final class CacheSimChart {
    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0xFF7F0E),
            new Color(0x9467BD), new Color(0x8C564B), new Color(0x17BECF), new Color(0xE377C2)};
    private CacheSimChart() {
    }

    /**
     * Writes a PNG: one line per policy over the budgets' slot counts, demand paging solid and, when the
     * trace had predictions, the same policy with prefetch dashed in the same colour.
     */
    public static Path write(Path file, String title, List<CacheSim.Row> rows) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection ds = new XYSeriesCollection();
        List<String> policies = List.copyOf(rows.getFirst().results().keySet());
        boolean prefetch = !rows.getFirst().prefetched().isEmpty();
        for (String p : policies) ds.addSeries(series(p, rows, CacheSim.Row::results, p));
        if (prefetch) {
            for (String p : policies) ds.addSeries(series(p + " + prefetch", rows, CacheSim.Row::prefetched, p));
        }
        NumberAxis x = new NumberAxis("cache size (experts)");
        x.setAutoRangeIncludesZero(false);
        JFreeChart chart = ChartImages.lines(title, x, "hit rate (%)", ds);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) ((XYPlot) chart.getPlot()).getRenderer();
        for (int i = 0; i < policies.size(); i++) {
            // the default policy in black, the bound in grey, both heavier than the rest
            String p = policies.get(i);
            Color c = p.equals(CachePolicies.DEFAULT) ? Color.BLACK : p.equals("belady") ? Color.GRAY : PALETTE[i % PALETTE.length];
            r.setSeriesPaint(i, c);
            float width = p.equals(CachePolicies.DEFAULT) || p.equals("belady") ? 3f : 1.5f;
            r.setSeriesStroke(i, new BasicStroke(width));
            if (prefetch) {
                int j = i + policies.size();
                r.setSeriesPaint(j, c);
                r.setSeriesStroke(j, new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
            }
        }
        try {
            return ChartImages.save(file, chart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file + ": " + e.getMessage(), e);
        }
    }

    private static XYSeries series(String name, List<CacheSim.Row> rows,
                                   java.util.function.Function<CacheSim.Row, Map<String, CacheSimulator.Result>> of, String policy) {
        XYSeries s = new XYSeries(name, true, false);
        for (CacheSim.Row row : rows) s.addOrUpdate(row.slots(), 100 * of.apply(row).get(policy).hitRate());
        return s;
    }
}
