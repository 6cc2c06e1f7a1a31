package dev.mailservice.bootstrap.pipeshub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** PipesHub's callers against the packaged jar on the file backend. */
class PipesHubCallersOnFileIT extends PipesHubCallers {

    @TempDir
    static Path directory;

    private static Path config;

    @BeforeAll
    static void start() throws Exception {
        config = directory.resolve("smtp.json");
        startJar(directory, Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", JWT_SECRET,
                "SMTP_CONFIG_FILE", config.toString(), "PORT", "0"));
    }

    @Override
    void clearStore() throws Exception {
        Files.deleteIfExists(config);
    }

    @Override
    void storeAsPipesHub(String json) throws Exception {
        Files.writeString(config, json);
    }

    @Override
    boolean hidesSecretConfig() {
        return false;
    }
}
