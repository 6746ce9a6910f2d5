package org.moe4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moe4j.gguf.GGUFFile;

/**
 * Reads a vocabulary from GGUF metadata with the reference engine's defaults and repairs: per-model default
 * special ids and BOS/EOS policy, the auto-detection of end-of-turn and fill-in-the-middle tokens by their
 * text, the end-of-generation set, and the per-model token attribute overrides.
 */
final class VocabularyLoader {
    private static final String PREFIX = "tokenizer.ggml.";

    /** What a token text is known to mean, as bits; the reference recognizes these tokens by text. */
    private static final int EOT = 1, EOM = 1 << 1, EOG = 1 << 2, HARMONY_MARKER = 1 << 3;
    private static final int FIM_PRE = 1 << 4, FIM_SUF = 1 << 5, FIM_MID = 1 << 6, FIM_PAD = 1 << 7;
    private static final int FIM_REP = 1 << 8, FIM_SEP = 1 << 9;
    private static final Map<String, Integer> ROLES = roles();

    private static Map<String, Integer> roles() {
        Map<String, Integer> r = new HashMap<>();
        // end of turn, when the file names no EOT token (the first one found, by id, becomes EOT)
        tag(r, EOT, "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
                "_<EOT>", "[EOT]", "<\uFF5Cend\u2581of\u2581sentence\uFF5C>", "<end_of_utterance>");
        tag(r, EOM, "<|eom_id|>");
        // always end generation
        tag(r, EOG, "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
                "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
                "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
                "<\uFF5Cend\u2581of\u2581sentence\uFF5C>", "[e~[");
        // gpt-oss (harmony) markers the reference always renders, whatever type the file gives them
        tag(r, HARMONY_MARKER, "<|channel|>", "<|message|>", "<|start|>", "<|constrain|>");
        tag(r, FIM_PRE, "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\uFF5Cfim\u2581begin\uFF5C>", "<PRE>",
                "\u2581<PRE>", "<|code_prefix|>", "<|prefix|>");
        tag(r, FIM_SUF, "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\uFF5Cfim\u2581hole\uFF5C>", "<SUF>",
                "\u2581<SUF>", "<|code_suffix|>", "<|suffix|>");
        tag(r, FIM_MID, "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\uFF5Cfim\u2581end\uFF5C>", "<MID>",
                "\u2581<MID>", "<|code_middle|>", "<|middle|>");
        tag(r, FIM_PAD, "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
        tag(r, FIM_REP, "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>");
        tag(r, FIM_SEP, "<|file_sep|>");
        return Map.copyOf(r);
    }

    private static void tag(Map<String, Integer> roles, int role, String... texts) {
        for (String t : texts) {
            roles.merge(t, role, (a, b) -> a | b);
        }
    }

    private final GGUFFile file;
    private final TokenizerKind kind;
    private final String[] texts;
    private final float[] scores;
    private final int[] attrs;
    private final Map<String, Integer> ids;

    private VocabularyLoader(GGUFFile file, TokenizerKind kind) {
        this.file = file;
        this.kind = kind;
        String[] raw = file.getStringArray(PREFIX + "tokens");
        if (raw == null) {
            throw new IllegalArgumentException("GGUF file has no vocabulary (" + PREFIX + "tokens is missing)");
        }
        int n = raw.length;
        texts = new String[n];
        ids = new HashMap<>(n * 4 / 3 + 16);
        for (int i = 0; i < n; i++) {
            // the reference renames empty tokens so that every id keeps a unique, non-empty text
            texts[i] = raw[i].isEmpty() ? "[EMPTY_" + i + "]" : raw[i];
            ids.putIfAbsent(texts[i], i);
        }
        float[] s = file.getFloatArray(PREFIX + "scores");
        scores = s != null && s.length >= n ? s : new float[n];
        int[] types = file.getIntArray(PREFIX + "token_type");
        attrs = new int[n];
        for (int i = 0; i < n; i++) {
            attrs[i] = types != null && i < types.length ? TokenAttr.fromTokenType(types[i]) : TokenAttr.NORMAL;
        }
    }

    /**
     * @param preTokenizer the byte-level BPE pre-tokenizer (it changes the BOS defaults), or null for other kinds
     */
    static Vocabulary load(GGUFFile file, TokenizerKind kind, PreTokenizer preTokenizer) {
        return new VocabularyLoader(file, kind).build(preTokenizer);
    }

    private Vocabulary build(PreTokenizer preTokenizer) {
        Ids s = defaults(preTokenizer);
        readSpecialIds(s);
        s.addBos = file.getBoolean(PREFIX + "add_bos_token", s.addBos);
        s.addEos = file.getBoolean(PREFIX + "add_eos_token", s.addEos);
        s.addSep = file.getBoolean(PREFIX + "add_sep_token", s.addSep);
        s.addSpacePrefix = file.getBoolean(PREFIX + "add_space_prefix", s.addSpacePrefix);
        boolean lowercase = file.getBoolean(PREFIX + "normalizer.lowercase", true);
        boolean stripAccents = file.getBoolean(PREFIX + "normalizer.strip_accents", lowercase);

        int[] withRoles = tokensWithRoles();
        detectByText(s, withRoles);
        markUnused();
        BitSet eog = endOfGeneration(s, withRoles);
        int[] special = specialTokensByLength();
        applyStripAttributes(special);

        SpecialTokens tokens = new SpecialTokens(s.bos, s.eos, s.eot, s.eom, s.unk, s.sep, s.pad, s.mask,
                s.addBos, s.addEos, s.addSep, s.addSpacePrefix, eog);
        return new Vocabulary(kind, texts, scores, attrs, ids, tokens, special, lowercase, stripAccents);
    }

    /** Mutable special ids while loading. */
    private static final class Ids {
        int bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, sep = -1, pad = -1, mask = -1;
        int fimPre = -1, fimSuf = -1, fimMid = -1, fimPad = -1, fimRep = -1, fimSep = -1;
        boolean addBos, addEos, addSep, addSpacePrefix;
    }

    private Ids defaults(PreTokenizer preTokenizer) {
        Ids s = new Ids();
        switch (kind) {
            case SENTENCE_PIECE -> {
                s.bos = 1;
                s.eos = 2;
                s.unk = 0;
                s.addBos = true;
                s.addSpacePrefix = true;
            }
            case WORD_PIECE -> {
                s.bos = 101;
                s.unk = 100;
                s.sep = 102;
                s.pad = 0;
                s.mask = 103;
                s.addBos = true;
                s.addSep = true;
            }
            case BYTE_PAIR -> {
                s.bos = preTokenizer != null && preTokenizer.disablesBos() ? -1 : 11;
                s.eos = 11;
                s.addBos = preTokenizer != null && preTokenizer.addBos();
            }
        }
        return s;
    }

    private void readSpecialIds(Ids s) {
        s.bos = specialId("bos_token_id", s.bos);
        s.eos = specialId("eos_token_id", s.eos);
        s.eot = specialId("eot_token_id", s.eot);
        s.eom = specialId("eom_token_id", s.eom);
        s.unk = specialId("unknown_token_id", s.unk);
        s.sep = specialId("seperator_token_id", s.sep); // sic: the key is spelled this way
        s.pad = specialId("padding_token_id", s.pad);
        s.mask = specialId("mask_token_id", s.mask);
        s.fimPre = specialId("fim_pre_token_id", s.fimPre);
        s.fimSuf = specialId("fim_suf_token_id", s.fimSuf);
        s.fimMid = specialId("fim_mid_token_id", s.fimMid);
        s.fimPad = specialId("fim_pad_token_id", s.fimPad);
        s.fimRep = specialId("fim_rep_token_id", s.fimRep);
        s.fimSep = specialId("fim_sep_token_id", s.fimSep);
        s.fimPre = specialId("prefix_token_id", s.fimPre);
        s.fimSuf = specialId("suffix_token_id", s.fimSuf);
        s.fimMid = specialId("middle_token_id", s.fimMid);
    }

    /** The id in the file if it is in range, else the default if that is in range, else -1. */
    private int specialId(String key, int def) {
        int n = texts.length;
        int id = def >= 0 && def < n ? def : -1;
        if (file.has(PREFIX + key)) {
            long v = file.getLong(PREFIX + key, -1);
            if (v >= 0 && v < n) {
                id = (int) v;
            }
        }
        return id;
    }

    /** Ids of tokens whose text has a known role, in id order. */
    private int[] tokensWithRoles() {
        IntList found = new IntList();
        for (int id = 0; id < texts.length; id++) {
            if (ROLES.containsKey(texts[id])) {
                found.add(id);
            }
        }
        return found.toArray();
    }

    private static boolean hasRole(String text, int role) {
        return (ROLES.getOrDefault(text, 0) & role) != 0;
    }

    /** Special ids the file does not name are recognized by their text; such tokens become control tokens. */
    private void detectByText(Ids s, int[] candidates) {
        for (int id : candidates) {
            String t = texts[id];
            if (s.eot < 0 && hasRole(t, EOT)) {
                s.eot = controlled(id);
            }
            if (s.eom < 0 && hasRole(t, EOM)) {
                s.eom = controlled(id);
            }
            if (s.fimPre < 0 && hasRole(t, FIM_PRE)) {
                s.fimPre = controlled(id);
            }
            if (s.fimSuf < 0 && hasRole(t, FIM_SUF)) {
                s.fimSuf = controlled(id);
            }
            if (s.fimMid < 0 && hasRole(t, FIM_MID)) {
                s.fimMid = controlled(id);
            }
            if (s.fimPad < 0 && hasRole(t, FIM_PAD)) {
                s.fimPad = controlled(id);
            }
            if (s.fimRep < 0 && hasRole(t, FIM_REP)) {
                s.fimRep = controlled(id);
            }
            if (s.fimSep < 0 && hasRole(t, FIM_SEP)) {
                s.fimSep = controlled(id);
            }
        }
    }

    private int controlled(int id) {
        attrs[id] |= TokenAttr.CONTROL;
        return id;
    }

    /** Control tokens named "unused" are placeholders, never real control tokens. */
    private void markUnused() {
        for (int id = 0; id < texts.length; id++) {
            if ((attrs[id] & TokenAttr.CONTROL) != 0 && texts[id].contains("unused")) {
                attrs[id] |= TokenAttr.UNUSED;
            }
        }
    }

    private BitSet endOfGeneration(Ids s, int[] candidates) {
        BitSet eog = new BitSet(texts.length);
        for (int id : new int[] {s.fimPad, s.fimRep, s.fimSep, s.eos, s.eot, s.eom}) {
            if (id >= 0) {
                eog.set(id);
            }
        }
        for (int id : candidates) {
            if (hasRole(texts[id], EOG)) {
                eog.set(id);
                attrs[id] |= TokenAttr.CONTROL;
            }
            if (hasRole(texts[id], HARMONY_MARKER)) {
                attrs[id] = TokenAttr.USER_DEFINED;
            }
        }
        // harmony (and solar-open) end a message with <|end|> but generation with <|return|> / <|call|>
        int end = eogId(eog, "<|end|>");
        boolean hasCall = eogId(eog, "<|call|>") >= 0 || eogId(eog, "<|calls|>") >= 0;
        if (end >= 0 && hasCall && (eogId(eog, "<|return|>") >= 0 || eogId(eog, "<|flush|>") >= 0)) {
            eog.clear(end);
            attrs[end] = TokenAttr.USER_DEFINED;
        }
        // gemma 4 ends tool responses with </s>, which must not stop generation there
        int eosText = eogId(eog, "</s>");
        if (eosText >= 0 && eogId(eog, "<|tool_response>") >= 0) {
            eog.clear(eosText);
            attrs[eosText] = TokenAttr.NORMAL;
        }
        return eog;
    }

    private int eogId(BitSet eog, String text) {
        Integer id = ids.get(text);
        return id != null && eog.get(id) ? id : -1;
    }

    private int[] specialTokensByLength() {
        int mask = TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN;
        int[] byteLength = new int[texts.length];
        Integer[] special = java.util.stream.IntStream.range(0, texts.length)
                .filter(id -> (attrs[id] & mask) != 0)
                .boxed()
                .toArray(Integer[]::new);
        for (int id : special) {
            byteLength[id] = texts[id].getBytes(StandardCharsets.UTF_8).length;
        }
        Arrays.sort(special, (a, b) -> byteLength[a] != byteLength[b] ? byteLength[b] - byteLength[a] : a - b);
        return Arrays.stream(special).mapToInt(Integer::intValue).toArray();
    }

    /** Per-model whitespace stripping around special tokens, which GGUF files do not record. */
    private void applyStripAttributes(int[] special) {
        String name = file.getString("general.name", "").toLowerCase(Locale.ROOT);
        String pre = file.getString(PREFIX + "pre", "");
        String arch = file.getString("general.architecture", "");
        if (pre.contains("jina-v2-de") || pre.contains("jina-v2-es") || pre.contains("jina-v2-code")
                || arch.contains("nomic-bert-moe") || arch.contains("jina-bert-v3")) {
            setAttr("<mask>", TokenAttr.LSTRIP, true);
        } else if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : special) {
                attrs[id] |= TokenAttr.RSTRIP;
            }
            setAttr("</s>", TokenAttr.RSTRIP, true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) {
                setAttr(t, TokenAttr.RSTRIP, false);
            }
        } else if (name.contains("modern-bert")) {
            setAttr("[MASK]", TokenAttr.LSTRIP, true);
        }
    }

    private void setAttr(String text, int attr, boolean value) {
        Integer id = ids.get(text);
        if (id != null) {
            attrs[id] = value ? attrs[id] | attr : attrs[id] & ~attr;
        }
    }
}
