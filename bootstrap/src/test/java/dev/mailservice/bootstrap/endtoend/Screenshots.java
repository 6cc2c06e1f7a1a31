package dev.mailservice.bootstrap.endtoend;

import dev.mailservice.testkit.Browser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.OutputType;

/** Screenshots the console's tests take of each view, under {@code target/console-screenshots}, for the docs. */
final class Screenshots {

    static final Path DIRECTORY = Path.of("target", "console-screenshots");

    private Screenshots() {}

    static void of(Browser browser, String name) throws IOException {
        Files.createDirectories(DIRECTORY);
        Files.write(DIRECTORY.resolve(name + ".png"), browser.driver().getScreenshotAs(OutputType.BYTES));
    }
}
