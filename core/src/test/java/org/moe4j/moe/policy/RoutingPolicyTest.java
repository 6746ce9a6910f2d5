package org.moe4j.moe.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moe4j.moe.GatingFunction;
import org.moe4j.moe.Router;
import org.moe4j.moe.RouterConfig;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.Tensor;

/** Each policy on decisions made from chosen router logits, so the expected result is known by hand. */
class RoutingPolicyTest {
    /** Softmax probabilities 0.5, 0.3, 0.15, 0.05 for experts 0..3. */
    private static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};

    private static RoutingDecision decide(int topK, boolean normalize) {
        RouterConfig rc = new RouterConfig(4, topK, GatingFunction.SOFTMAX, normalize, 1f, 0, 0);
        Router r = new Router(0, rc, new Tensor("router", GGMLType.F32, new long[]{1, 4}, MemorySegment.ofArray(new float[4])), null, null);
        RoutingDecision d = r.newDecision();
        r.route(LOGITS, 0, d);
        return d;
    }

    @Test
    void topKChangesTheCountAndReweighs() {
        RoutingDecision d = decide(2, true);
        new TopKPolicy(3, LayerSet.ALL).apply(d);
        assertThat(d.expertsCopy()).containsExactly(0, 1, 2);
        assertThat(d.weight(0)).isCloseTo(0.5f / 0.95f, within(1e-6f));
    }

    @Test
    void topKWithTheTrainedCountIsBitIdentical() {
        RoutingDecision a = decide(2, true);
        RoutingDecision b = decide(2, true);
        new TopKPolicy(2, LayerSet.ALL).apply(b);
        assertThat(b.expertsCopy()).containsExactly(a.expertsCopy());
        assertThat(b.weightsCopy()).containsExactly(a.weightsCopy());
    }

    @Test
    void topPTakesExpertsUntilTheCumulativeProbabilityReachesP() {
        assertThat(count(new TopPPolicy(0.5, 1, 0, LayerSet.ALL))).isEqualTo(1);
        assertThat(count(new TopPPolicy(0.79, 1, 0, LayerSet.ALL))).isEqualTo(2);
        assertThat(count(new TopPPolicy(0.81, 1, 0, LayerSet.ALL))).isEqualTo(3);
        assertThat(count(new TopPPolicy(0.99, 1, 0, LayerSet.ALL))).isEqualTo(4);
        assertThat(count(new TopPPolicy(1.0, 1, 0, LayerSet.ALL))).isEqualTo(4);
        assertThat(count(new TopPPolicy(0.5, 3, 0, LayerSet.ALL))).as("min").isEqualTo(3);
        assertThat(count(new TopPPolicy(0.99, 1, 2, LayerSet.ALL))).as("max").isEqualTo(2);
        RoutingDecision d = decide(2, true);
        new TopPPolicy(0.81, 1, 0, LayerSet.ALL).apply(d);
        assertThat(d.expertsCopy()).containsExactly(0, 1, 2);
        assertThat(d.weight(2)).isCloseTo(0.15f / 0.95f, within(1e-6f));
    }

    private static int count(TopPPolicy p) {
        RoutingDecision d = decide(2, true);
        p.apply(d);
        return d.count();
    }

    @Test
    void thresholdDropsLowNormalisedWeightsAndKeepsTheTotal() {
        // selected 0.5, 0.3, 0.15 (sum 0.95): normalised 0.526, 0.316, 0.158; t = 0.2 drops expert 2
        RoutingDecision raw = decide(3, false);
        new WeightThresholdPolicy(0.2f, LayerSet.ALL).apply(raw);
        assertThat(raw.expertsCopy()).containsExactly(0, 1);
        assertThat(raw.weight(0)).isCloseTo(0.5f * 0.95f / 0.8f, within(1e-6f));
        assertThat(raw.weight(1)).isCloseTo(0.3f * 0.95f / 0.8f, within(1e-6f));

        RoutingDecision norm = decide(3, true);
        new WeightThresholdPolicy(0.2f, LayerSet.ALL).apply(norm);
        assertThat(norm.expertsCopy()).containsExactly(0, 1);
        assertThat(norm.weight(0)).isCloseTo(0.625f, within(1e-6f));
        assertThat(norm.weight(1)).isCloseTo(0.375f, within(1e-6f));

        RoutingDecision all = decide(3, true);
        new WeightThresholdPolicy(0.9f, LayerSet.ALL).apply(all);
        assertThat(all.expertsCopy()).as("the best expert always stays").containsExactly(0);

        RoutingDecision none = decide(3, false);
        float[] before = none.weightsCopy();
        new WeightThresholdPolicy(0.1f, LayerSet.ALL).apply(none);
        assertThat(none.weightsCopy()).containsExactly(before);
    }

    @Test
    void maskReplacesMaskedExpertsKeepingTheCount() {
        RoutingDecision d = decide(2, true);
        new MaskPolicy(new int[]{0}, LayerSet.ALL).apply(d);
        assertThat(d.expertsCopy()).containsExactly(1, 2);
        assertThat(d.weight(0)).isCloseTo(0.3f / 0.45f, within(1e-6f));
        assertThatThrownBy(() -> new MaskPolicy(new int[]{9}, LayerSet.ALL).apply(decide(2, true)))
                .hasMessageContaining("expert 9 does not exist");
        assertThatThrownBy(() -> new MaskPolicy(new int[]{0, 1, 2, 3}, LayerSet.ALL).apply(decide(2, true)))
                .hasMessageContaining("nothing to route to");
    }

    @Test
    void forceIncludesExpertsInScoreOrder() {
        RoutingDecision d = decide(2, true);
        new ForcePolicy(new int[]{3}, LayerSet.ALL).apply(d);
        assertThat(d.expertsCopy()).containsExactly(0, 3);
        assertThat(d.weight(1)).isCloseTo(0.05f / 0.55f, within(1e-6f));
        RoutingDecision more = decide(2, true);
        new ForcePolicy(new int[]{3, 2, 1}, LayerSet.ALL).apply(more);
        assertThat(more.expertsCopy()).containsExactly(1, 2, 3);
    }

    @Test
    void layerScopeLeavesOtherLayersAlone() {
        RoutingDecision d = decide(2, true); // layer 0
        new TopKPolicy(4, LayerSet.parse("1-3")).apply(d);
        assertThat(d.count()).isEqualTo(2);
        new TopKPolicy(4, LayerSet.parse("0,5")).apply(d);
        assertThat(d.count()).isEqualTo(4);
    }

    @Test
    void specsParseIntoCanonicalOrder() {
        CompositePolicy p = RoutingPolicies.parse(List.of("threshold=0.05", "force=1", "mask=3,5@layer=0-3", "top-p=0.9:min=1:max=8"));
        assertThat(p.toString()).isEqualTo("top-p=0.9:min=1:max=8 mask=3,5@layer=0-3 force=1 threshold=0.05");
        assertThat(RoutingPolicies.parse(List.of("top-k=4")).policies()).containsExactly(new TopKPolicy(4, LayerSet.ALL));
        assertThat(RoutingPolicies.parse(List.of("none")).isEmpty()).isTrue();
        assertThat(RoutingPolicies.parse(List.of("top-k=2@layer=0-1 top-k=4@layer=2-5")).policies()).hasSize(2);
        assertThatThrownBy(() -> RoutingPolicies.parse(List.of("top-k=2", "top-p=0.5"))).hasMessageContaining("expert count");
        assertThatThrownBy(() -> RoutingPolicies.parse(List.of("mask=1,2", "force=2@layer=1"))).hasMessageContaining("same expert");
        assertThatThrownBy(() -> RoutingPolicies.parseOne("top-k=4:min=2")).hasMessageContaining("only top-p");
        assertThatThrownBy(() -> RoutingPolicies.parseOne("bogus=1")).hasMessageContaining("unknown routing policy");
        assertThatThrownBy(() -> RoutingPolicies.parseOne("top-p=1.5")).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> RoutingPolicies.parseOne("mask=1@layer=3-1")).hasMessageContaining("bad layer range");
    }
}
