package org.moe4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.moe4j.generate.BatchEngine;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in headless Chromium (driven through chromedriver): it loads the model, streams an answer
 * into the chat and fills the routing view with one cell per generated token and MoE layer. A screenshot
 * lands in target/browser/. Skipped only where no Chromium is installed.
 */
class WebPageBrowserTest {

    private static Optional<Path> executable(String... names) {
        for (String name : names) {
            for (String dir : (System.getenv().getOrDefault("PATH", "/usr/bin") + ":/usr/bin:/usr/lib/chromium").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Test
    void chatStreamsAnAnswerAndShowsWhichExpertsEachTokenUsed() throws Exception {
        Optional<Path> browser = executable("chromium", "chromium-browser", "google-chrome");
        assumeTrue(browser.isPresent(), "no Chromium installed");
        Path driverBinary = executable("chromedriver").orElseThrow(() -> new IllegalStateException(
                "Chromium is installed but chromedriver is not: install Debian's chromium-driver package"));
        Path out = Path.of("target", "browser");
        Files.createDirectories(out);
        Path profile = Files.createTempDirectory(out, "profile");

        try (TestServer s = TestServer.start("llama-moe", new BatchEngine.Settings(4, 1024, 64, 8), Moe4jServer.Settings.local(0))) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(browser.get().toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--window-size=1400,900", "--user-data-dir=" + profile.toAbsolutePath());
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driverBinary.toFile())
                    .usingAnyFreePort().build();
            WebDriver d = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(60));
                d.get(s.url() + "/");
                wait.until(x -> x.findElement(By.id("model-info")).getText().contains("llama-moe"));
                assertThat(d.findElements(By.cssSelector("#routing tbody tr"))).hasSize(2); // one row per MoE layer

                set(d, "temperature", "0.8");
                set(d, "max-tokens", "120");
                set(d, "seed", "11");
                // record every text the answer shows, to see it grow piece by piece
                ((JavascriptExecutor) d).executeScript("""
                        window.__seen = [];
                        new MutationObserver(() => {
                          const c = document.querySelector('.msg.assistant .content');
                          if (c) window.__seen.push(c.textContent.length);
                        }).observe(document.getElementById('messages'), {subtree: true, childList: true, characterData: true});
                        """);
                d.findElement(By.id("input")).sendKeys("Tell me a story about a lighthouse.");
                d.findElement(By.id("send")).click();
                wait.until(x -> x.findElement(By.id("status")).getText().equals("ready")
                        && !x.findElements(By.cssSelector(".msg.assistant .meta")).isEmpty()
                        && !x.findElement(By.cssSelector(".msg.assistant .meta")).getText().isEmpty());

                WebElement answer = d.findElement(By.cssSelector(".msg.assistant .content"));
                assertThat(answer.getText()).isNotBlank();
                String meta = d.findElement(By.cssSelector(".msg.assistant .meta")).getText();
                int tokens = Integer.parseInt(meta.substring(0, meta.indexOf(' ')));
                assertThat(tokens).isPositive();
                List<WebElement> cells = d.findElements(By.cssSelector("#routing td.routing-cell"));
                assertThat(cells).hasSize(2 * tokens);
                for (WebElement c : cells.subList(0, 4)) {
                    assertThat(c.getText()).matches("\\d+ \\d+"); // llama-moe selects 2 experts per layer
                }
                @SuppressWarnings("unchecked")
                List<Long> seen = (List<Long>) ((JavascriptExecutor) d).executeScript("return window.__seen;");
                assertThat(seen.stream().distinct().filter(n -> n > 0).count()).as("distinct partial answer lengths").isGreaterThan(2);

                Path shot = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE).toPath();
                Files.copy(shot, out.resolve("chat-routing.png"), StandardCopyOption.REPLACE_EXISTING);
                assertThat(Files.size(out.resolve("chat-routing.png"))).isGreaterThan(10_000);
            } finally {
                d.quit();
            }
        }
    }

    private static void set(WebDriver d, String id, String value) {
        WebElement e = d.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }
}
