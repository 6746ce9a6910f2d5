package org.moe4j.tokenizer;

import java.util.BitSet;

/**
 * The special token ids (-1 when absent), what encoding adds around a text, and the end-of-generation set.
 *
 * @param addSpacePrefix SentencePiece prepends a space to text at the start and after special tokens
 */
record SpecialTokens(int bos, int eos, int eot, int eom, int unk, int sep, int pad, int mask,
                     boolean addBos, boolean addEos, boolean addSep, boolean addSpacePrefix,
                     BitSet endOfGeneration) {

    boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }
}
