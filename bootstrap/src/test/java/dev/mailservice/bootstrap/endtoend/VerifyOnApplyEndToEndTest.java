package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.TestSmtpServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service with verification on apply alone: a save on this replica applies what it
 * stores, so it too never replaces the working sender with a configuration that cannot log in.
 */
class VerifyOnApplyEndToEndTest {

    private static final String PASSWORD = "right-Pa55word";
    private static final String WRONG_PASSWORD = "wrong-Pa55word";

    @RegisterExtension
    final AssembledService service = new AssembledService(PASSWORD, WRONG_PASSWORD);

    @TempDir
    Path directory;

    private static String configuration(int port, String password, String fromEmail) {
        return """
                {"host": "127.0.0.1", "port": %d, "username": "ops", "password": "%s", "fromEmail": "%s"}"""
                .formatted(port, password, fromEmail);
    }

    @Test
    void withVerificationOnApplyAloneASaveWithAWrongPasswordIsRefusedAndTheWorkingSenderStays() throws Exception {
        Path configFile = directory.resolve("smtp.json");
        try (TestSmtpServer smtp = TestSmtpServer.start(options -> options.login("ops", PASSWORD))) {
            ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", configFile.toString(),
                    "SMTP_TIMEOUT_MS", "5000", "SMTP_VERIFY_ON_APPLY", "true"));
            assertEquals(200, client.storeConfiguration(configuration(smtp.port(), PASSWORD, "noreply@example.com"))
                    .statusCode());

            HttpResponse<String> refused = client.storeConfiguration(configuration(smtp.port(), WRONG_PASSWORD,
                    "refused@example.com"));

            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("SMTP verification failed at step auth"), refused.body());
            assertFalse(Files.readString(configFile).contains("refused@"), "a refused save was stored");
            String status = client.status();
            assertTrue(status.contains("\"fromEmail\":\"noreply@example.com\""), status);
            assertEquals(200, client.sendEmail("{\"emailTemplateType\": \"loginWithOTP\", \"sendEmailTo\": "
                    + "[\"user@example.com\"], \"templateData\": {\"otp\": \"123456\"}}").statusCode());
            assertEquals(1, smtp.mails().size(), "the working sender stopped sending");
        }
    }
}
