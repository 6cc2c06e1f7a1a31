package dev.mailservice.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium}), driven through Debian's {@code chromedriver}
 * by Selenium, for the tests of what a person sees. A missing browser or driver skips the test, or
 * fails it with {@code CI=true} ({@link ExternalTools}). Each browser has a profile of its own,
 * deleted when it closes, and the flags that keep it from reaching for the network by itself.
 */
public final class Browser implements AutoCloseable {

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts one, 1280 px wide unless {@code width} says otherwise. */
    public static Browser start(int width) throws IOException {
        Path chromium = ExternalTools.require("chromium");
        Path chromedriver = ExternalTools.require("chromedriver");
        Path profile = Files.createTempDirectory("chromium-profile-");
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile()).addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--user-data-dir=" + profile, "--window-size=" + width + ",900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Waits up to ten seconds for what the test waits for. */
    public WebDriverWait await() {
        return new WebDriverWait(driver, Duration.ofSeconds(10));
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
