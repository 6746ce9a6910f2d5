package org.moe4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pre-tokenizers selected by {@code tokenizer.ggml.pre}, with the split rules and settings the reference
 * engine uses for each name. Regexes are written in the reference's notation (see {@link ReferenceRegex});
 * the GPT-2, LLaMA-3 and Kimi-K2 patterns are hand-written splitters there and here.
 */
final class PreTokenizers {
    private static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

    private static final String QWEN2_REGEX = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final String QWEN35_REGEX = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Upper-case run then lower-case run (and the reverse), spelled with lookaheads because ECMAScript has no \p{Lu}. */
    private static final String UPPER = "((?=[\\p{L}])([^a-z]))";
    private static final String LOWER = "((?=[\\p{L}])([^A-Z]))";

    private static final String GPT4O_REGEX = "[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "*" + LOWER + "+" + CONTRACTIONS + "?"
            + "|[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "+" + LOWER + "*" + CONTRACTIONS + "?"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final String TEKKEN_REGEX = "[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "*" + LOWER + "+"
            + "|[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "+" + LOWER + "*"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final String SEED_CODER_REGEX = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final String BAILINGMOE_REGEX = "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";

    private static final String DEEPSEEK3_WORDS = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+"
            + "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";

    /** Cased letters (Unicode L&) as listed in DeepSeek LLM's tokenizer. */
    private static final String DEEPSEEK_LLM_LETTERS = "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}"
            + "\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}"
            + "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}"
            + "\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}"
            + "\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}"
            + "\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}"
            + "\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}"
            + "\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
            + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
            + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}"
            + "\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}"
            + "\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}"
            + "\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}"
            + "\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
            + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
            + "\\x{1E900}-\\x{1E943}";

    /** CJK ideographs, the block below them, and Hangul, as DeepSeek spells the range. */
    private static final String DEEPSEEK_CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";

    private static final String PORO_REGEX = " ?[^(\\s|.,!?\\x{2026}\\x{3002}\\x{FF0C}\\x{3001}\\x{964}\\x{6D4}\\x{60C})]+";

    private enum Family {
        DEFAULT(() -> rules(regex("[\\p{P}\\$\\+<=>\\^~\\|]+"), new Gpt2Splitter(), regex("\\p{N}+"), regex("[0-9][0-9][0-9]"))),
        GPT2(() -> rules(new Gpt2Splitter())),
        LLAMA3(() -> rules(new Llama3Splitter())),
        FALCON(() -> rules(regex("[\\p{P}\\$\\+<=>\\^~\\|`]+"), new Gpt2Splitter(), regex("[0-9][0-9][0-9]"))),
        STARCODER(() -> rules(regex("\\p{N}"), new Gpt2Splitter())),
        QWEN2(() -> rules(regex(QWEN2_REGEX))),
        QWEN35(() -> rules(regex(QWEN35_REGEX))),
        DEEPSEEK_LLM(() -> rules(regex("[\r\n]"), regex("\\s?[" + DEEPSEEK_LLM_LETTERS + "]+"),
                regex("\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+"),
                regex("\\s+$"), regex(DEEPSEEK_CJK), regex("\\p{N}+"))),
        DEEPSEEK_CODER(() -> rules(regex("[\r\n]"), regex("\\s?\\p{L}+"), regex("\\s?\\p{P}+"), regex(DEEPSEEK_CJK),
                regex("\\p{N}"))),
        DEEPSEEK3(() -> rules(regex("\\p{N}{1,3}"), regex("[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+"),
                regex(DEEPSEEK3_WORDS))),
        PORO(() -> rules(regex(PORO_REGEX))),
        VIKING(() -> rules(regex(PORO_REGEX), regex("\\p{N}"))),
        TEKKEN(() -> rules(regex(TEKKEN_REGEX))),
        GPT4O(() -> rules(regex(GPT4O_REGEX))),
        CHAMELEON(() -> rules(regex("<sentinel:[0-9]+>"), regex("(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z"),
                regex("([\\t\\n]|    |  )"), regex("\\p{N}"), regex("[\\p{P}!-/:-@\\[-`{-~]"), new Gpt2Splitter())),
        KIMI_K2(() -> rules(new KimiK2Splitter())),
        SEED_CODER(() -> rules(regex(SEED_CODER_REGEX))),
        BAILINGMOE(() -> rules(regex(BAILINGMOE_REGEX)));

        private final Supplier<List<SplitRule>> rules;

        Family(Supplier<List<SplitRule>> rules) {
            this.rules = rules;
        }
    }

    /** Name -> family and settings; the flags are {@code ignoreMerges, addBos, disablesBos}. */
    private record Entry(Family family, boolean ignoreMerges, boolean addBos, boolean disablesBos) {
    }

    private static final Map<String, Entry> BY_NAME = buildTable();

    private PreTokenizers() {
    }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value; empty or missing means the reference default. */
    static PreTokenizer forName(String name) {
        String key = name == null || name.isEmpty() ? "default" : name;
        Entry e = BY_NAME.get(key);
        if (e == null) {
            throw new IllegalArgumentException("unsupported pre-tokenizer '" + name + "' (tokenizer.ggml.pre); supported: "
                    + new java.util.TreeSet<>(BY_NAME.keySet()));
        }
        return new PreTokenizer(key, e.family().rules.get(), e.ignoreMerges(), e.addBos(), e.disablesBos());
    }

    /** Every supported {@code tokenizer.ggml.pre} name. */
    static java.util.Set<String> names() {
        return BY_NAME.keySet();
    }

    private static Map<String, Entry> buildTable() {
        Map<String, Entry> t = new java.util.HashMap<>();
        plain(t, Family.DEFAULT, "default");
        for (String n : List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2")) {
            t.put(n, new Entry(Family.LLAMA3, true, true, false));
        }
        plain(t, Family.LLAMA3, "dbrx", "smaug-bpe");
        t.put("glm4", new Entry(Family.LLAMA3, false, false, true));
        t.put("chatglm-bpe", new Entry(Family.LLAMA3, false, false, true));
        plain(t, Family.DEEPSEEK_LLM, "deepseek-llm");
        plain(t, Family.DEEPSEEK_CODER, "deepseek-coder");
        plain(t, Family.DEEPSEEK3, "deepseek-v3", "hunyuan-dense");
        plain(t, Family.FALCON, "falcon");
        plain(t, Family.GPT2, "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
                "mellum", "modern-bert", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling", "jina-v1-en",
                "jina-v2-code", "roberta-bpe");
        plain(t, Family.STARCODER, "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b",
                "mellum2");
        plain(t, Family.QWEN2, "qwen2", "deepseek-r1-qwen", "kormo", "megrez", "stablelm2", "hunyuan", "solar-open",
                "grok-2");
        plain(t, Family.QWEN35, "qwen35");
        plain(t, Family.PORO, "poro-chat", "bloom", "gpt3-finnish");
        plain(t, Family.VIKING, "viking");
        t.put("tekken", new Entry(Family.TEKKEN, true, true, false));
        plain(t, Family.GPT4O, "gpt-4o", "llama4", "minimax-m2", "kanana2");
        t.put("chameleon", new Entry(Family.CHAMELEON, false, true, false));
        plain(t, Family.KIMI_K2, "kimi-k2");
        plain(t, Family.SEED_CODER, "seed-coder");
        plain(t, Family.BAILINGMOE, "bailingmoe", "bailingmoe2", "llada-moe");
        return Map.copyOf(t);
    }

    private static void plain(Map<String, Entry> t, Family family, String... names) {
        for (String n : names) {
            t.put(n, new Entry(family, false, false, false));
        }
    }

    private static SplitRule regex(String referenceRegex) {
        return new RegexSplitRule(referenceRegex);
    }

    private static List<SplitRule> rules(SplitRule... rules) {
        return new ArrayList<>(List.of(rules));
    }
}
