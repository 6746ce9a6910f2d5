package org.moe4j.tools.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tools.synth.ModelSynthesizer;
import org.moe4j.tools.synth.Preset;
import org.moe4j.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a random-weight model with the shape of a real one (benchmark fodder), "
                + "loadable by moe4j and other GGUF engines.",
                "Presets: olmoe-1b-7b, qwen3-30b-a3b, mixtral-8x7b, qwen1.5-moe-a2.7b, granite-3.0-1b-a400m, "
                        + "small-olmoe, tiny-olmoe, tiny-qwen3moe, tiny-mixtral, tiny-qwen2moe (see --list)."})
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--preset", description = "Model shape (see --list)")
    String preset;

    @Option(names = "--arch", description = "Check that the preset has this architecture (olmoe, qwen3moe, llama, qwen2moe, granitemoe)")
    String arch;

    @Option(names = "--type", defaultValue = "Q8_0", description = "Tensor type of the matrices (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--out", description = "Output .gguf file")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--list", description = "List the presets and exit")
    boolean list;

    @Override
    public Integer call() {
        if (list || preset == null) {
            for (Map.Entry<String, Preset> e : Preset.all().entrySet()) {
                System.out.printf(Locale.ROOT, "  %-22s %-10s %s%n", e.getKey(), e.getValue().arch(), e.getValue().description());
            }
            return preset == null && !list ? 2 : 0;
        }
        if (out == null) throw new IllegalArgumentException("--out FILE is required");
        Preset p = Preset.get(preset);
        if (arch != null && !arch.equals(p.arch())) {
            throw new IllegalArgumentException("preset " + preset + " is a " + p.arch() + " model, not " + arch);
        }
        GGMLType t = parseType(type);
        ModelSynthesizer s = new ModelSynthesizer(p, t, seed);
        System.err.printf(Locale.ROOT, "synthesizing %s (%s) as %s: %s of tensors%n", p.name(), p.arch(), t, Progress.bytes(s.dataBytes()));
        long t0 = System.nanoTime();
        s.write(out, true);
        System.err.printf(Locale.ROOT, "wrote %s in %.1f s%n", out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    static GGMLType parseType(String s) {
        try {
            return GGMLType.valueOf(s.toUpperCase(Locale.ROOT).replace("Q4_K_M", "Q4_K").replace("Q5_K_M", "Q5_K"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown tensor type '" + s + "'");
        }
    }
}
