package org.moe4j.tokenizer;

import java.util.List;
import java.util.OptionalInt;

/** What all tokenizers share: special-token splitting, vocabulary queries and token-to-bytes rendering. */
abstract class AbstractTokenizer implements Tokenizer {
    private static final byte[] NOTHING = new byte[0];

    final Vocabulary vocab;
    private final SpecialTokenSplitter specialTokens;

    AbstractTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.specialTokens = new SpecialTokenSplitter(vocab);
    }

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String clean = Utf8.wellFormed(text);
        List<Fragment> fragments = specialTokens.split(clean, parseSpecial);
        IntList out = new IntList(clean.length() / 3 + 8);
        encode(clean, fragments, addSpecial, out);
        return out.toArray();
    }

    /** Tokenizes the text fragments, copies the special-token fragments, and adds BOS/EOS as the model does. */
    abstract void encode(String text, List<Fragment> fragments, boolean addSpecial, IntList out);

    /** The bytes of a normal (non-special, non-byte) token. */
    abstract byte[] normalTokenBytes(String text);

    @Override
    public String decode(int[] ids) {
        StreamingDecoder decoder = newStreamingDecoder();
        StringBuilder sb = new StringBuilder(ids.length * 4);
        for (int id : ids) {
            sb.append(decoder.push(id));
        }
        return sb.append(decoder.flush()).toString();
    }

    @Override
    public String piece(int id) {
        return vocab.text(checked(id));
    }

    @Override
    public byte[] tokenBytes(int id) {
        int attr = vocab.attr(checked(id));
        String text = vocab.text(id);
        if ((attr & (TokenAttr.CONTROL | TokenAttr.UNKNOWN)) != 0) {
            return NOTHING;
        }
        if ((attr & TokenAttr.USER_DEFINED) != 0) {
            return Utf8.bytes(text);
        }
        if ((attr & TokenAttr.NORMAL) != 0) {
            return normalTokenBytes(text);
        }
        if ((attr & TokenAttr.BYTE) != 0) {
            return byteTokenValue(text);
        }
        return NOTHING; // unused and undefined tokens render as nothing, like control tokens
    }

    /** {@code <0xAB>} -> the byte 0xAB. */
    private static byte[] byteTokenValue(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                return NOTHING;
            }
        }
        return NOTHING;
    }

    private int checked(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IndexOutOfBoundsException("token id " + id + " is outside the vocabulary of " + vocab.size());
        }
        return id;
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bos() {
        return vocab.special().bos();
    }

    @Override
    public int eos() {
        return vocab.special().eos();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < vocab.size() && vocab.special().isEndOfGeneration(id);
    }

    @Override
    public boolean isControl(int id) {
        return id >= 0 && id < vocab.size() && vocab.has(id, TokenAttr.CONTROL);
    }

    @Override
    public OptionalInt tokenId(String piece) {
        int id = vocab.id(piece);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    @Override
    public boolean addsSpacePrefix() {
        return vocab.special().addSpacePrefix();
    }
}
