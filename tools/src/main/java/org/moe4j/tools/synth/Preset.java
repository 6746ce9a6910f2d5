package org.moe4j.tools.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a real model (or a small test model): everything {@link ModelSynthesizer} needs to write a
 * random-weight file of that shape.
 *
 * @param expertHidden  width of one routed expert's FFN (or of the dense FFN when experts == 0)
 * @param sharedHidden  width of the shared expert (0: none)
 * @param headDim       per-head width of q/k/v (may differ from embedding / heads, as in qwen3moe)
 */
public record Preset(String name, String arch, int layers, int embedding, int heads, int headsKv, int headDim,
                     int experts, int expertsUsed, int expertHidden, int sharedHidden, int vocab, int context,
                     float ropeBase, String description) {

    private static final Map<String, Preset> ALL = new LinkedHashMap<>();

    static {
        add(new Preset("olmoe-1b-7b", "olmoe", 16, 2048, 16, 16, 128, 64, 8, 1024, 0, 50304, 4096, 10000f,
                "OLMoE-1B-7B: 16 layers, 2048 wide, 64 experts top-8, expert width 1024"));
        add(new Preset("qwen3-30b-a3b", "qwen3moe", 48, 2048, 32, 4, 128, 128, 8, 768, 0, 151936, 40960, 1_000_000f,
                "Qwen3-30B-A3B: 48 layers, 2048 wide, 128 experts top-8, expert width 768"));
        add(new Preset("mixtral-8x7b", "llama", 32, 4096, 32, 8, 128, 8, 2, 14336, 0, 32000, 32768, 1_000_000f,
                "Mixtral-8x7B: 32 layers, 4096 wide, 8 experts top-2, expert width 14336"));
        add(new Preset("qwen1.5-moe-a2.7b", "qwen2moe", 24, 2048, 16, 16, 128, 60, 4, 1408, 5632, 151936, 8192, 1_000_000f,
                "Qwen1.5-MoE-A2.7B: 24 layers, 2048 wide, 60 experts top-4 of width 1408 plus a shared expert of 5632"));
        add(new Preset("granite-3.0-1b-a400m", "granitemoe", 24, 1024, 16, 8, 64, 32, 8, 512, 0, 49155, 4096, 10000f,
                "Granite-3.0-1B-A400M: 24 layers, 1024 wide, 32 experts top-8, expert width 512"));
        add(new Preset("tiny-olmoe", "olmoe", 2, 256, 4, 4, 64, 16, 4, 256, 0, 2048, 2048, 10000f,
                "a small olmoe-shaped model for tests"));
        add(new Preset("tiny-qwen3moe", "qwen3moe", 2, 256, 4, 2, 64, 16, 4, 256, 0, 2048, 2048, 1_000_000f,
                "a small qwen3moe-shaped model for tests"));
        add(new Preset("tiny-mixtral", "llama", 2, 256, 4, 2, 64, 8, 2, 512, 0, 2048, 2048, 10000f,
                "a small Mixtral-shaped model for tests"));
        add(new Preset("tiny-qwen2moe", "qwen2moe", 2, 256, 4, 4, 64, 8, 2, 256, 512, 2048, 2048, 1_000_000f,
                "a small qwen2moe-shaped model for tests"));
        add(new Preset("small-olmoe", "olmoe", 8, 1024, 8, 8, 128, 32, 4, 512, 0, 8192, 4096, 10000f,
                "a mid-sized olmoe-shaped model (about 0.9 B parameters) for quick benchmarks"));
    }

    private static void add(Preset p) {
        ALL.put(p.name, p);
    }

    public static Preset get(String name) {
        Preset p = ALL.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + String.join(", ", ALL.keySet()));
        }
        return p;
    }

    public static Map<String, Preset> all() {
        return ALL;
    }

    public boolean isMoe() {
        return experts > 0;
    }
}
