package org.moe4j.tools.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.trace.RoutingTraceReader;

/** The analysis of {@link HandTrace} against figures worked out by hand. */
class TraceAnalysisTest {
    private static final double EPS = 1e-9;

    @TempDir
    Path dir;

    private TraceSummary s;

    @BeforeEach
    void analyze() throws Exception {
        TraceAnalysis a = TraceAnalysis.of(List.of(RoutingTraceReader.read(HandTrace.write(dir.resolve("hand.jsonl")))),
                List.of("hand"), new TraceAnalysis.Options(-1, new int[]{1, 2, 3, 4}, 100));
        s = a.summaries().getFirst();
    }

    @Test
    void loadBalance() {
        assertThat(s.tokens()).isEqualTo(6);
        assertThat(s.sequences()).isEqualTo(2);
        assertThat(s.moeLayers()).containsExactly(0, 1);
        assertThat(s.averageActiveExperts()).isEqualTo(2.0);

        // layer 0 loads 6, 3, 2, 1: mean 3, variance (9 + 0 + 1 + 4) / 4
        LayerBalance l0 = s.balance().get(0);
        assertThat(l0.load()).containsExactly(6, 3, 2, 1);
        assertThat(l0.cv()).isCloseTo(Math.sqrt(3.5) / 3, within(EPS));
        assertThat(l0.maxOverMean()).isCloseTo(2.0, within(EPS));
        double h0 = 0.5 * 1 + 0.25 * 2 + (1.0 / 6) * log2(6) + (1.0 / 12) * log2(12);
        assertThat(l0.entropyBits()).isCloseTo(h0, within(EPS));
        assertThat(l0.normalizedEntropy()).isCloseTo(h0 / 2, within(EPS));
        assertThat(l0.dead()).isEmpty();
        assertThat(l0.dominant()).containsExactly(0);

        // layer 1 loads 0, 2, 5, 5
        LayerBalance l1 = s.balance().get(1);
        assertThat(l1.load()).containsExactly(0, 2, 5, 5);
        assertThat(l1.cv()).isCloseTo(Math.sqrt(4.5) / 3, within(EPS));
        assertThat(l1.maxOverMean()).isCloseTo(5.0 / 3, within(EPS));
        assertThat(l1.entropyBits()).isCloseTo((1.0 / 6) * log2(6) + 2 * (5.0 / 12) * log2(12.0 / 5), within(EPS));
        assertThat(l1.dead()).containsExactly(0);
        assertThat(l1.dominant()).isEmpty();
    }

    @Test
    void coActivation() {
        long[][] c = s.coActivation().getFirst().counts();
        assertThat(s.coActivation().getFirst().layer()).isZero();
        assertThat(c[0]).containsExactly(6, 3, 2, 1);
        assertThat(c[1]).containsExactly(3, 3, 0, 0);
        assertThat(c[2]).containsExactly(2, 0, 2, 0);
        assertThat(c[3]).containsExactly(1, 0, 0, 1);
    }

    @Test
    void transitions() {
        LayerTransition t = s.transitions().getFirst();
        assertThat(t.from()).isZero();
        assertThat(t.to()).isEqualTo(1);
        assertThat(t.counts()[0]).containsExactly(0, 2, 5, 5);
        assertThat(t.counts()[1]).containsExactly(0, 0, 3, 3);
        assertThat(t.counts()[2]).containsExactly(0, 1, 1, 2);
        assertThat(t.counts()[3]).containsExactly(0, 1, 1, 0);
        // best experts (0,2) (0,2) (1,3) (3,1) (0,2) (2,3): the first determines the second
        assertThat(t.top1Accuracy()).isCloseTo(1.0, within(EPS));
        assertThat(t.top1Baseline()).isCloseTo(0.5, within(EPS));
        double hNext = 0.5 * 1 + (1.0 / 3) * log2(3) + (1.0 / 6) * log2(6);
        assertThat(t.mutualInformation()).isCloseTo(hNext, within(EPS));
        assertThat(t.normalizedMutualInformation()).isCloseTo(1.0, within(EPS));
        assertThat(t.setRecall()).isCloseTo(5.0 / 6, within(EPS));
    }

    @Test
    void windowConsistency() {
        WindowConsistency w1 = s.windows().get(0), w2 = s.windows().get(1), w3 = s.windows().get(2), w4 = s.windows().get(3);
        assertThat(w1.meanDistinct()).containsExactly(2.0, 2.0);
        assertThat(w2.meanDistinct()).containsExactly(3.0, 2.5);
        assertThat(w2.maxDistinct()).containsExactly(3, 3);
        assertThat(w2.windows()).isEqualTo(4);
        assertThat(w3.meanDistinct()).containsExactly(3.5, 2.5);
        assertThat(w3.maxDistinct()).containsExactly(4, 3);
        assertThat(w4.meanDistinct()).containsExactly(4.0, 3.0);
        assertThat(w4.windows()).isEqualTo(1);
    }

    @Test
    void comparisonOfATraceWithItselfShowsNoDifference() {
        TraceComparison c = TraceComparison.of(s, s);
        assertThat(c.loadJensenShannonBits()).containsExactly(0.0, 0.0);
        assertThat(TraceComparison.jensenShannon(new long[]{1, 0}, new long[]{0, 1})).isCloseTo(1.0, within(EPS));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
