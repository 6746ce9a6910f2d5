package org.moe4j.moe.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Routing policies from command-line style specs, {@code NAME=VALUE[:OPTION=VALUE...][@layer=LIST]}:
 * <pre>
 *   top-k=4                     select 4 experts instead of the trained number
 *   top-p=0.9:min=1:max=8       experts in score order until their probability reaches 0.9 (1..8 of them)
 *   threshold=0.05              drop selected experts below 5% of the selected weight, renormalise
 *   mask=3,5@layer=0-3          never route to experts 3 and 5 in blocks 0..3
 *   force=1                     always include expert 1
 *   none                        no policy
 * </pre>
 * Several specs form one {@link CompositePolicy} applied in a fixed order whatever the order given: the
 * count (top-k or top-p) first, then masks, then forced experts, then the weight threshold; so a mask
 * keeps the count a top-p chose, and the threshold sees the final selection.
 */
public final class RoutingPolicies {
    private RoutingPolicies() {
    }

    /** All specs as one policy; an empty list gives a policy that changes nothing. */
    public static CompositePolicy parse(List<String> specs) {
        List<ScopedPolicy> ps = new ArrayList<>();
        for (String s : specs) {
            for (String part : s.split("\\s+|;")) {
                if (part.isBlank()) continue;
                ScopedPolicy p = parseOne(part);
                if (p != null) ps.add(p);
            }
        }
        ps.sort(Comparator.comparingInt(RoutingPolicies::stage));
        checkConflicts(ps);
        return new CompositePolicy(List.copyOf(ps));
    }

    /** One spec; null for {@code none}. */
    public static ScopedPolicy parseOne(String spec) {
        String s = spec.strip();
        if (s.equals("none")) return null;
        LayerSet layers = LayerSet.ALL;
        int at = s.indexOf('@');
        if (at >= 0) {
            String scope = s.substring(at + 1).strip();
            if (!scope.startsWith("layer=") && !scope.startsWith("layers=")) {
                throw new IllegalArgumentException("bad policy '" + spec + "': the part after @ must be layer=LIST");
            }
            layers = LayerSet.parse(scope.substring(scope.indexOf('=') + 1));
            s = s.substring(0, at).strip();
        }
        String[] parts = s.split(":");
        int eq = parts[0].indexOf('=');
        if (eq < 0) throw new IllegalArgumentException("bad policy '" + spec + "': expected NAME=VALUE, e.g. top-k=4");
        String name = canonicalName(parts[0].substring(0, eq).strip());
        String value = parts[0].substring(eq + 1).strip();
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int e = parts[i].indexOf('=');
            if (e < 0) throw new IllegalArgumentException("bad option '" + parts[i] + "' in policy '" + spec + "'");
            opts.put(parts[i].substring(0, e).strip().toLowerCase(Locale.ROOT), parts[i].substring(e + 1).strip());
        }
        if (!opts.isEmpty() && !(name.equals("top-p") && List.of("min", "max").containsAll(opts.keySet()))) {
            throw new IllegalArgumentException("bad option in policy '" + spec + "' (only top-p takes options: min, max)");
        }
        try {
            return switch (name) {
                case "top-k" -> new TopKPolicy(Integer.parseInt(value), layers);
                case "top-p" -> new TopPPolicy(Double.parseDouble(value), Integer.parseInt(opts.getOrDefault("min", "1")),
                        Integer.parseInt(opts.getOrDefault("max", "0")), layers);
                case "threshold" -> new WeightThresholdPolicy(Float.parseFloat(value), layers);
                case "mask" -> new MaskPolicy(ids(value), layers);
                case "force" -> new ForcePolicy(ids(value), layers);
                default -> throw new IllegalArgumentException("unknown routing policy '" + name
                        + "' (known: top-k, top-p, threshold, mask, force, none)");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in policy '" + spec + "'");
        }
    }

    private static String canonicalName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "topk", "k" -> "top-k";
            case "topp", "p" -> "top-p";
            case "min-weight" -> "threshold";
            default -> n;
        };
    }

    private static int[] ids(String list) {
        String[] parts = list.split(",");
        int[] r = new int[parts.length];
        for (int i = 0; i < parts.length; i++) r[i] = Integer.parseInt(parts[i].strip());
        return r;
    }

    /** Order of application: count, mask, force, threshold. */
    private static int stage(ScopedPolicy p) {
        return switch (p) {
            case TopKPolicy x -> 0;
            case TopPPolicy x -> 0;
            case MaskPolicy x -> 1;
            case ForcePolicy x -> 2;
            case WeightThresholdPolicy x -> 3;
        };
    }

    private static void checkConflicts(List<ScopedPolicy> ps) {
        for (int i = 0; i < ps.size(); i++) {
            for (int j = i + 1; j < ps.size(); j++) {
                ScopedPolicy a = ps.get(i), b = ps.get(j);
                if (stage(a) == 0 && stage(b) == 0 && a.layers().intersects(b.layers())) {
                    throw new IllegalArgumentException("policies " + a + " and " + b + " both set the expert count in the same layers");
                }
                if (a instanceof MaskPolicy m && b instanceof ForcePolicy f && m.layers().intersects(f.layers())
                        && m.experts.overlaps(f.experts)) {
                    throw new IllegalArgumentException("policies " + a + " and " + b + " mask and force the same expert");
                }
            }
        }
    }
}
