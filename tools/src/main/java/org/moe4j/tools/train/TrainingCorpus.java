package org.moe4j.tools.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The text files a model trains on, each split into a training part and a held-out part: the file is cut at
 * line ends into blocks of about {@value #BLOCK_CHARS} characters and every {@code heldOutEvery}-th block is
 * held out, so the held-out text samples the whole file (both styles, every book) rather than its end.
 */
public final class TrainingCorpus {
    static final int BLOCK_CHARS = 16_384;

    /** One file: a short name, its training text and its held-out text. */
    public record Part(String name, String train, String heldOut) {
    }

    private TrainingCorpus() {
    }

    public static List<Part> read(List<Path> files, int heldOutEvery) {
        if (files.isEmpty()) throw new IllegalArgumentException("no corpus files given (--corpus FILE)");
        if (heldOutEvery < 2) throw new IllegalArgumentException("--held-out-every must be at least 2, is " + heldOutEvery);
        List<Part> parts = new ArrayList<>();
        for (Path f : files) {
            String text = readUtf8(f);
            if (text.isBlank()) throw new IllegalArgumentException("corpus file " + f + " is empty");
            parts.add(split(f.getFileName().toString().replaceFirst("\\.[^.]*$", ""), text, heldOutEvery));
        }
        return parts;
    }

    static Part split(String name, String text, int heldOutEvery) {
        StringBuilder train = new StringBuilder(text.length());
        StringBuilder held = new StringBuilder(text.length() / heldOutEvery + 16);
        int block = 0;
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + BLOCK_CHARS);
            int nl = text.indexOf('\n', end);
            end = nl < 0 ? text.length() : nl + 1;
            (block % heldOutEvery == heldOutEvery / 2 ? held : train).append(text, start, end);
            start = end;
            block++;
        }
        if (held.isEmpty()) { // too short for blocks: hold out the last tenth
            int cut = text.lastIndexOf('\n', text.length() * 9 / 10);
            cut = cut <= 0 ? text.length() * 9 / 10 : cut + 1;
            return new Part(name, text.substring(0, cut), text.substring(cut));
        }
        return new Part(name, train.toString(), held.toString());
    }

    private static String readUtf8(Path f) {
        try {
            byte[] b = Files.readAllBytes(f);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("corpus file " + f + " is not valid UTF-8");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus file " + f + ": " + e.getMessage(), e);
        }
    }
}
