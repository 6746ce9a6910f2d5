/**
 * Tokenizers loaded from GGUF metadata, reproducing the reference engine (llama.cpp) token for token.
 *
 * <p>Entry point: {@link org.moe4j.tokenizer.Tokenizer#fromGGUF}. {@code tokenizer.ggml.model} selects the
 * algorithm: {@link org.moe4j.tokenizer.SentencePieceTokenizer} ({@code llama}),
 * {@link org.moe4j.tokenizer.BytePairTokenizer} ({@code gpt2}, with the {@link org.moe4j.tokenizer.PreTokenizer}
 * named by {@code tokenizer.ggml.pre}, see {@link org.moe4j.tokenizer.PreTokenizers}) or
 * {@link org.moe4j.tokenizer.WordPieceTokenizer} ({@code bert}). All of them first cut special tokens out of the
 * text ({@link org.moe4j.tokenizer.SpecialTokenSplitter}); {@link org.moe4j.tokenizer.StreamingDecoder} turns
 * generated tokens back into text without splitting characters.
 *
 * <p>Where the reference has quirks (its Unicode category tables, its regex engine's view of non-ASCII text,
 * its hand-written splitters, its token-type repairs), these classes follow the reference, because token ids
 * must match what the model was run with.
 */
package org.moe4j.tokenizer;
