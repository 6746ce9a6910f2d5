package org.moe4j.tools.analyze;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Opens a page in headless Chromium with no network and returns the DOM after its scripts ran. */
final class HeadlessChromium {
    private HeadlessChromium() {
    }

    /** The browser binary, if one is installed. */
    static Optional<Path> find() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The serialised DOM of {@code page} once the page is idle (virtual time lets timers and animation frames run). */
    static String dumpDom(Path browser, Path page, Path scratch) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(scratch, "chromium-profile");
        Path out = scratch.resolve("dom-" + System.nanoTime() + ".html");
        Path err = scratch.resolve("chromium-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=30000",
                "--dump-dom", page.toUri().toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish within 180 s");
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        if (dom.isBlank()) {
            throw new IOException("chromium returned no DOM (exit " + p.exitValue() + "): " + Files.readString(err));
        }
        return dom;
    }
}
