package org.moe4j.tokenizer;

/** The tokenizer algorithms, selected by {@code tokenizer.ggml.model}. */
enum TokenizerKind {
    SENTENCE_PIECE("llama"),
    BYTE_PAIR("gpt2"),
    WORD_PIECE("bert");

    final String modelName;

    TokenizerKind(String modelName) {
        this.modelName = modelName;
    }

    static TokenizerKind forModel(String model) {
        for (TokenizerKind k : values()) {
            if (k.modelName.equals(model)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unsupported tokenizer model '" + model
                + "' (tokenizer.ggml.model); supported: llama (SentencePiece), gpt2 (byte-level BPE), bert (WordPiece)");
    }
}
