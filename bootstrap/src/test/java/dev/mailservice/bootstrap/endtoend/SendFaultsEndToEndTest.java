package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.FaultSmtpServer;
import dev.mailservice.testkit.SmtpScenario;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send's endings over HTTP, the service assembled, against SMTP servers that misbehave: the status
 * and code each answers with, the one log line a send leaves, the meters; and a send tried again
 * while a save swaps the configuration, which goes on with the one it started with.
 */
class SendFaultsEndToEndTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final AssembledService service = new AssembledService();

    @TempDir
    Path directory;

    private final List<FaultSmtpServer> servers = new ArrayList<>();

    @AfterEach
    void stopTheServers() {
        servers.forEach(FaultSmtpServer::close);
    }

    private FaultSmtpServer serve(SmtpScenario scenario) {
        FaultSmtpServer server = FaultSmtpServer.start(scenario);
        servers.add(server);
        return server;
    }

    private static String configuration(FaultSmtpServer server) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + server.port() + ", \"fromEmail\": \"noreply@example.com\"}";
    }

    private static String mail(String subject, String to) {
        return """
                {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["%s"], "subject": "%s",
                 "templateData": {"name": "Ann", "otp": "123456"}}""".formatted(to, subject);
    }

    private static void assertError(HttpResponse<String> answer, int status, String code) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertTrue(answer.body().startsWith("{\"error\":{\"code\":\"" + code + "\""), answer.body());
    }

    @Test
    void eachEndingOfASendHasItsStatusItsCodeItsLogLineAndItsMeter() throws Exception {
        FaultSmtpServer server = serve(SmtpScenario.behaving()
                .answersRecipient(moment -> moment.mail() == 1, "550 5.1.1 <nobody@example.com>: User unknown")
                .resetsAfterDot(moment -> moment.mail() == 2));
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                "SMTP_TIMEOUT_MS", "1000", "SMTP_SEND_DEADLINE_MS", "2000"));
        assertEquals(200, client.storeConfiguration(configuration(server)).statusCode());
        String before = client.metrics();

        HttpResponse<String> refused = client.sendEmail(mail("refused", "nobody@example.com"));
        HttpResponse<String> uncertain = client.sendEmail(mail("reset", "ann@example.com"));
        HttpResponse<String> sent = client.sendEmail(mail("fine", "ann@example.com"));
        server.goDownFor(PATIENCE);
        HttpResponse<String> temporary = client.sendEmail(mail("while down", "ann@example.com"));

        assertError(refused, 502, "SMTP_REFUSED");
        assertTrue(refused.body().contains("refused the recipient nobody@example.com (550 5.1.1 <nobody@example.com>: "
                + "User unknown)"), refused.body());
        assertError(uncertain, 504, "SMTP_OUTCOME_UNKNOWN");
        assertTrue(uncertain.body().contains("it may have been delivered"), uncertain.body());
        assertEquals(200, sent.statusCode(), sent.body());
        assertError(temporary, 503, "SMTP_TEMPORARY_FAILURE");
        assertEquals("2", temporary.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(Map.of("refused", 0L, "reset", 1L, "fine", 1L, "while down", 0L), Map.of("refused",
                server.copiesOf("refused"), "reset", server.copiesOf("reset"), "fine", server.copiesOf("fine"),
                "while down", server.copiesOf("while down")));

        List<String> sendLines = service.logLines().stream().filter(line -> line.contains("Mail ")
                && line.contains("template loginWithOTP")).toList();
        assertEquals(4, sendLines.size(), String.join("\n", sendLines));
        assertTrue(sendLines.get(0).contains("Mail refused: ") && sendLines.get(0).contains("1 attempt: "), sendLines.get(0));
        assertTrue(sendLines.get(1).contains("Mail uncertain: "), sendLines.get(1));
        assertTrue(sendLines.get(2).contains("Mail sent: ") && sendLines.get(2).contains("the server said: 250 2.0.0 Ok"),
                sendLines.get(2));
        assertTrue(sendLines.get(3).contains("Mail temporary failure: ") && sendLines.get(3).contains(" attempts: "),
                sendLines.get(3));
        assertTrue(service.logLines().stream().noneMatch(line -> line.contains("answered 50")),
                "a send's end was logged twice: " + service.logLines());

        String after = client.metrics();
        for (String outcome : List.of("refused", "uncertain", "sent", "temporary_failure")) {
            String label = "outcome=\"" + outcome + "\"";
            assertEquals(1, ServiceClient.metric(after, "mailservice_mails_total", label)
                    - ServiceClient.metric(before, "mailservice_mails_total", label), outcome + " in " + after);
        }
        assertTrue(ServiceClient.metric(after, "mailservice_smtp_send_retries_total", "cause=\"connection_failed\"") >= 1,
                after);
        assertTrue(ServiceClient.metric(after, "mailservice_smtp_send_attempts_total") >= 5, after);
        assertEquals(32, ServiceClient.metric(after, "mailservice_smtp_connections_allowed"), after);
    }

    @Test
    void aSendTriedAgainWhileASaveSwapsTheConfigurationGoesOnWithTheOneItStartedWith() throws Exception {
        AtomicBoolean swapped = new AtomicBoolean();
        FaultSmtpServer first = serve(SmtpScenario.behaving().answersRecipient(moment -> !swapped.get(),
                "451 4.3.0 Temporary lookup failure"));
        FaultSmtpServer second = serve(SmtpScenario.behaving());
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                "SMTP_SEND_DEADLINE_MS", "60000"));
        assertEquals(200, client.storeConfiguration(configuration(first)).statusCode());

        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return client.sendEmail(mail("across the swap", "ann@example.com"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (first.commandsReceived("RCPT") < 2) {
            assertTrue(System.nanoTime() < end, "the send was never tried again");
            Thread.sleep(5);
        }
        assertEquals(200, client.storeConfiguration(configuration(second)).statusCode());
        assertFalse(inFlight.isDone(), "the send ended before the swap: " + inFlight);
        swapped.set(true);

        assertEquals(200, inFlight.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).statusCode());
        assertEquals(1, first.copiesOf("across the swap"));
        assertEquals(0, second.copiesOf("across the swap"));
        assertEquals(200, client.sendEmail(mail("after the swap", "ann@example.com")).statusCode());
        assertEquals(1, second.copiesOf("after the swap"));
        assertEquals(0, first.copiesOf("after the swap"));
    }
}
