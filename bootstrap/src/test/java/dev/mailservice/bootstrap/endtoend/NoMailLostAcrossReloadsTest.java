package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many concurrent senders while the configuration flips between two SMTP servers: every send is
 * answered 200 and every mail arrives exactly once, at one server or the other.
 */
class NoMailLostAcrossReloadsTest {

    private static final int SENDERS = 8;
    private static final int MIN_SENDS = 1_000;
    private static final int SWITCHES = 60;

    @RegisterExtension
    static final GreenMailExtension SERVER_A = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    @RegisterExtension
    static final GreenMailExtension SERVER_B = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    @RegisterExtension
    final AssembledService service = new AssembledService();

    @TempDir
    Path directory;

    private static String configuration(GreenMailExtension server, String fromEmail) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + server.getSmtp().getPort() + ", \"fromEmail\": \"" + fromEmail
                + "\"}";
    }

    @Test
    void everySendIsAnsweredAndArrivesExactlyOnceWhileTheProviderFlips() throws Exception {
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString()));
        ExecutorService threads = Executors.newFixedThreadPool(SENDERS + 1);
        try {
            assertEquals(200, client.storeConfiguration(configuration(SERVER_A, "a@example.com")).statusCode());
            AtomicInteger sends = new AtomicInteger();
            AtomicInteger switches = new AtomicInteger();
            Map<Integer, Integer> answers = new ConcurrentHashMap<>();

            Future<?> switcher = threads.submit(() -> {
                for (int i = 0; i < SWITCHES; i++) {
                    GreenMailExtension next = i % 2 == 0 ? SERVER_B : SERVER_A;
                    HttpResponse<String> stored = client.storeConfiguration(configuration(next, "flip" + i + "@example.com"));
                    assertEquals(200, stored.statusCode(), stored.body());
                    switches.incrementAndGet();
                    TimeUnit.MILLISECONDS.sleep(15);
                }
                return null;
            });
            List<Future<?>> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                senders.add(threads.submit(() -> {
                    while (!switcher.isDone() || sends.get() < MIN_SENDS) {
                        HttpResponse<String> answer = client.sendEmail(SendMailEndToEndTest.otpMail("n" + sends.get()));
                        answers.merge(answer.statusCode(), 1, Integer::sum);
                        sends.incrementAndGet();
                    }
                    return null;
                }));
            }
            switcher.get(5, TimeUnit.MINUTES);
            for (Future<?> sender : senders) {
                sender.get(5, TimeUnit.MINUTES);
            }

            assertTrue(sends.get() >= MIN_SENDS, sends.get() + " sends");
            assertEquals(SWITCHES, switches.get());
            assertEquals(Map.of(200, sends.get()), answers, "every send must be answered 200");
            int receivedByA = SERVER_A.getReceivedMessages().length;
            int receivedByB = SERVER_B.getReceivedMessages().length;
            assertEquals(sends.get(), receivedByA + receivedByB, "A received " + receivedByA + ", B " + receivedByB);
            assertTrue(receivedByA > 0 && receivedByB > 0, "A received " + receivedByA + ", B " + receivedByB);
        } finally {
            threads.shutdownNow();
        }
    }
}
