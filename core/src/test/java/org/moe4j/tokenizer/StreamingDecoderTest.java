package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingDecoderTest {
    /** Emoji (4 bytes), CJK (3 bytes), Khmer with combining marks, a ZWJ sequence and Latin-1. */
    static final String MULTI_BYTE = "\uD83D\uDE80 \u6211\u60F3\u5728apple\u5DE5\u4F5C \u1780\u17B6\u1793\u17CB "
            + "\uD83D\uDE36\u200D\uD83C\uDF2B\uFE0F \u00C4pfel \uD83E\uDD99\uD83E\uDD99";

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "deepseek-llm", "mpt"})
    void neverEmitsPartOfACharacter(String name) {
        Tokenizer tokenizer = TokenizerTestData.load(TokenizerTestData.vocabulary(name));
        int[] ids = tokenizer.encode(MULTI_BYTE, false, false);
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        List<String> pieces = new ArrayList<>();
        int held = 0;
        for (int id : ids) {
            String piece = decoder.push(id);
            if (decoder.hasPending()) {
                held++;
            }
            assertThat(piece).doesNotContain("\uFFFD");
            assertThat(isWellFormed(piece)).as("piece '%s' is well-formed UTF-16", piece).isTrue();
            pieces.add(piece);
        }
        pieces.add(decoder.flush());
        assertThat(String.join("", pieces)).isEqualTo(MULTI_BYTE);
        assertThat(held).as("some token ended inside a character").isPositive();
    }

    @Test
    void spmByteTokensOfAnEmojiAreHeldUntilComplete() {
        Tokenizer spm = TokenizerTestData.load(TokenizerTestData.vocabulary("llama-spm"));
        StreamingDecoder decoder = new StreamingDecoder(spm, false);
        // U+1F999 (llama) = F0 9F A6 99, spelled with byte-fallback tokens
        String[] bytes = {"<0xF0>", "<0x9F>", "<0xA6>", "<0x99>"};
        for (int i = 0; i < 3; i++) {
            assertThat(decoder.push(spm.tokenId(bytes[i]).getAsInt())).isEmpty();
        }
        assertThat(decoder.push(spm.tokenId(bytes[3]).getAsInt())).isEqualTo("\uD83E\uDD99");
        assertThat(decoder.hasPending()).isFalse();
    }

    @Test
    void flushTurnsAnIncompleteCharacterIntoReplacement() {
        Tokenizer spm = TokenizerTestData.load(TokenizerTestData.vocabulary("llama-spm"));
        StreamingDecoder decoder = new StreamingDecoder(spm, false);
        assertThat(decoder.push(spm.tokenId("<0xE6>").getAsInt())).isEmpty();
        assertThat(decoder.push(spm.tokenId("<0x88>").getAsInt())).isEmpty();
        assertThat(decoder.push(spm.tokenId("\u2581a").getAsInt())).isEqualTo("\uFFFD a");
        assertThat(decoder.flush()).isEmpty();
        assertThat(decoder.push(spm.tokenId("<0xF0>").getAsInt())).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
    }

    @Test
    void sentencePieceDropsTheSpacePrefixAtTheStartOfAText() {
        Tokenizer spm = TokenizerTestData.load(TokenizerTestData.vocabulary("llama-spm"));
        int[] ids = spm.encode("Hello world", true, false);
        assertThat(ids[0]).isEqualTo(spm.bos());
        StringBuilder start = new StringBuilder();
        StreamingDecoder decoder = spm.newStreamingDecoder();
        for (int id : ids) {
            start.append(decoder.push(id));
        }
        assertThat(start.append(decoder.flush())).hasToString("Hello world");

        StreamingDecoder continuation = new StreamingDecoder(spm, false);
        StringBuilder cont = new StringBuilder();
        for (int id : spm.encode("Hello world", false, false)) {
            cont.append(continuation.push(id));
        }
        assertThat(cont).hasToString(" Hello world");
    }

    @Test
    void byteLevelBpeKeepsLeadingSpaces() {
        Tokenizer gpt2 = TokenizerTestData.load(TokenizerTestData.vocabulary("gpt-2"));
        assertThat(gpt2.decode(gpt2.encode(" Hello", false, false))).isEqualTo(" Hello");
    }

    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
