package org.moe4j.tools.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.trace.RoutingTraceReader;

/**
 * The HTML report of {@link HandTrace} opened in headless Chromium (skipped only where no Chromium is
 * installed): every chart renders, no script error occurs, and the figures in the page are the ones worked
 * out by hand.
 */
class HtmlReportBrowserTest {
    @TempDir
    Path dir;

    @Test
    void reportRendersInABrowserWithTheHandComputedFigures() throws Exception {
        Optional<Path> browser = HeadlessChromium.find();
        Assumptions.assumeTrue(browser.isPresent(), "no chromium installed");
        Path trace = HandTrace.write(dir.resolve("hand.jsonl"));
        var read = RoutingTraceReader.read(trace);
        TraceAnalysis a = TraceAnalysis.of(List.of(read, read), List.of("first", "second"),
                new TraceAnalysis.Options(-1, new int[]{1, 2, 3, 4}, 100));
        Path html = dir.resolve("report.html");
        a.writeHtml(html);

        String dom = HeadlessChromium.dumpDom(browser.get(), html, dir);
        assertThat(text(dom, "moe4j-errors")).as("script errors").isEmpty();
        // load x2, balance, co-activation x2, transitions, transition matrix x2, windows, comparison
        assertThat(text(dom, "moe4j-status")).isEqualTo("rendered 10 charts");
        assertThat(dom).contains("<canvas");

        assertThat(value(dom, 1, 1, "activeExperts")).isEqualTo(2.0);
        assertThat(value(dom, 0, 0, "cv")).isCloseTo(Math.sqrt(3.5) / 3, within(1e-12));
        assertThat(value(dom, 1, 1, "cv")).isCloseTo(Math.sqrt(4.5) / 3, within(1e-12));
        assertThat(value(dom, 0, 1, "maxOverMean")).isCloseTo(5.0 / 3, within(1e-12));
        assertThat(value(dom, 0, 0, "entropyBits")).isCloseTo(0.5 + 0.5 + log2(6) / 6 + log2(12) / 12, within(1e-12));
        assertThat(value(dom, 0, 0, "setRecall")).isCloseTo(5.0 / 6, within(1e-12));
        assertThat(value(dom, 0, 0, "top1Baseline")).isCloseTo(0.5, within(1e-12));
        assertThat(cell(dom, 0, 1, "dead")).isEqualTo("0");
        assertThat(cell(dom, 0, 0, "dominant")).isEqualTo("0");
        assertThat(windowValue(dom, 0, 0, 3)).isCloseTo(3.5, within(1e-12));
        assertThat(windowValue(dom, 0, 1, 2)).isCloseTo(2.5, within(1e-12));
        assertThat(value(dom, -1, 0, "loadJensenShannonBits")).isZero();

        // the per-token view was built by the script: one span per token, coloured by its best expert
        String tokens = element(dom, "tokens-0");
        assertThat(tokens).contains("&lt;b&gt;beginning&lt;/b&gt;");
        assertThat(Pattern.compile("<span ").matcher(tokens).results().count()).isEqualTo(6);
        assertThat(tokens).contains("expert 3: 0.600");
    }

    private static double value(String dom, int trace, int layer, String metric) {
        Matcher m = Pattern.compile("data-trace=\"" + trace + "\" data-layer=\"" + layer + "\" data-metric=\"" + metric
                + "\" data-value=\"([^\"]+)\"").matcher(dom);
        assertThat(m.find()).as("%s of trace %d layer %d in the page", metric, trace, layer).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static double windowValue(String dom, int trace, int layer, int window) {
        Matcher m = Pattern.compile("data-trace=\"" + trace + "\" data-layer=\"" + layer + "\" data-window=\"" + window
                + "\" data-metric=\"meanDistinct\" data-value=\"([^\"]+)\"").matcher(dom);
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String cell(String dom, int trace, int layer, String metric) {
        Matcher m = Pattern.compile("data-trace=\"" + trace + "\" data-layer=\"" + layer + "\" data-metric=\"" + metric + "\">([^<]*)<").matcher(dom);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static String element(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>(.*?)</div>", Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("element #%s", id).isTrue();
        return m.group(1);
    }

    private static String text(String dom, String id) {
        return element(dom, id).strip();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
