package org.moe4j.testing;

import java.util.ArrayList;
import java.util.List;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;

/** Records the final routing of every (layer, batch position) for comparison with goldens. */
public final class RoutingRecorder implements RoutingObserver {
    public record Entry(int layer, int position, int[] experts, float[] weights) {
    }

    public final List<Entry> entries = new ArrayList<>();

    @Override
    public void onRouting(RoutingDecision d) {
        entries.add(new Entry(d.layer(), d.position(), d.expertsCopy(), d.weightsCopy()));
    }

    public Entry find(int layer, int position) {
        for (Entry e : entries) {
            if (e.layer == layer && e.position == position) return e;
        }
        return null;
    }
}
