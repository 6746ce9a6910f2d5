package org.moe4j.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.moe4j.gguf.GGUFFormatException;
import org.moe4j.model.arch.DeepSeek2;
import org.moe4j.model.arch.GptOss;
import org.moe4j.model.arch.GraniteMoe;
import org.moe4j.model.arch.Llama;
import org.moe4j.model.arch.Olmoe;
import org.moe4j.model.arch.Qwen2Moe;
import org.moe4j.model.arch.Qwen3Moe;

/** The supported architectures, by GGUF {@code general.architecture} name. */
public final class Architectures {
    private static final Map<String, Architecture> BY_NAME = new LinkedHashMap<>();

    static {
        for (Architecture a : List.of(new Llama(), new Qwen2Moe(), new Qwen3Moe(), new Olmoe(), new GraniteMoe(),
                new DeepSeek2(), new GptOss())) {
            for (String n : a.names()) BY_NAME.put(n, a);
        }
    }

    private Architectures() {
    }

    public static Architecture forName(String name) {
        Architecture a = BY_NAME.get(name);
        if (a == null) {
            throw new GGUFFormatException("architecture '" + name + "' is not supported; supported: " + String.join(", ", BY_NAME.keySet()));
        }
        return a;
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
