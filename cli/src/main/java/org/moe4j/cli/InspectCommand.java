package org.moe4j.cli;

import org.moe4j.cli.options.ModelPaths;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFTensorInfo;
import org.moe4j.gguf.GGUFValue;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelInfo;
import org.moe4j.model.ModelLoader;
import org.moe4j.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show a GGUF file: metadata, tensor table and parameter counts (total, active per token, "
                + "per expert, bytes per expert) and the KV-cache bytes per token."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "GGUF file (default: the bundled model)")
    Path file;

    @Option(names = "--tensors", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "List every tensor (default: ${DEFAULT-VALUE}).")
    boolean tensors;

    @Option(names = "--full", description = "Print long metadata arrays (tokenizer vocabularies) in full.")
    boolean full;

    @Override
    public Integer call() {
        Path p = ModelPaths.resolve(file);
        try (GGUFFile f = GGUFReader.open(p)) {
            System.out.printf(Locale.ROOT, "%s: GGUF v%d, %s, %d metadata keys, %d tensors, alignment %d%n",
                    p, f.version(), Progress.bytes(p.toFile().length()), f.metadata().size(), f.tensors().size(), f.alignment());
            System.out.println();
            System.out.println("Metadata");
            for (Map.Entry<String, GGUFValue> e : f.metadata().entrySet()) {
                GGUFValue v = e.getValue();
                String shown = v.isArray()
                        ? (full ? v.toString() : "[" + v.elementType() + " x " + v.arrayLength() + "] " + v)
                        : v.toString();
                System.out.printf(Locale.ROOT, "  %-48s %s%n", e.getKey(), shown);
            }
            if (tensors) {
                System.out.println();
                System.out.println("Tensors");
                System.out.printf(Locale.ROOT, "  %-40s %-7s %-24s %12s%n", "name", "type", "shape", "bytes");
                for (GGUFTensorInfo t : f.tensors()) {
                    System.out.printf(Locale.ROOT, "  %-40s %-7s %-24s %12d%n", t.name(), t.type(),
                            java.util.Arrays.toString(t.dims()), t.byteSize());
                }
            }
            if (f.has("general.architecture")) {
                ModelInfo info = ModelInfo.of(f);
                System.out.println();
                System.out.println("Parameters");
                System.out.printf(Locale.ROOT, "  total                  %,d (%s)%n", info.totalParams(), Progress.bytes(info.totalBytes()));
                if (info.expertCount() > 0) {
                    System.out.printf(Locale.ROOT, "  routed experts         %,d in %d layers x %d experts (%s)%n", info.expertParams(),
                            info.moeLayers(), info.expertCount(), Progress.bytes(info.expertBytes()));
                    System.out.printf(Locale.ROOT, "  per expert             %,d parameters, %s%n", info.paramsPerExpert(), Progress.bytes(info.bytesPerExpert()));
                    System.out.printf(Locale.ROOT, "  experts per token      %d of %d%n", info.expertUsed(), info.expertCount());
                }
                System.out.printf(Locale.ROOT, "  active per token       %,d%n", info.activeParams());
                System.out.printf(Locale.ROOT, "  bytes read per token   %s (weights of one decode step)%n", Progress.bytes(info.activeBytesPerToken()));
            }
        }
        if (isModel(p)) {
            try (Model m = ModelLoader.load(p, LoadOptions.defaults().withThreads(1))) {
                System.out.printf(Locale.ROOT, "  KV cache per token     %s (%s, float32)%n", Progress.bytes(m.cacheBytesPerToken()),
                        m.config().kvLoraRank > 0 ? "compressed latent of multi-head latent attention" : "keys + values");
            } catch (RuntimeException e) {
                System.out.println("  (cannot build the model: " + e.getMessage() + ")");
            }
        }
        return 0;
    }

    private static boolean isModel(Path p) {
        try (GGUFFile f = GGUFReader.open(p)) {
            return f.has("general.architecture") && !f.tensors().isEmpty();
        }
    }
}
