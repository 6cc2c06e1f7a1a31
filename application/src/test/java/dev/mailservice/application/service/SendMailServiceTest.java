package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.out.CurrentRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import static dev.mailservice.application.service.Fakes.configuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.testkit.LogCapture;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SendMailServiceTest {

    private final Fakes.Metrics metrics = new Fakes.Metrics();

    private final Fakes.Repository repository = new Fakes.Repository();
    private final Fakes.TransportFactory factory = new Fakes.TransportFactory();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"), ZoneOffset.UTC);
    private final Core core = new Core(repository, factory, metrics, CLOCK);

    private final MailRenderer renderer = new Fakes.Renderer();
    private final RecentSends recent = new RecentSends(2);
    private final SendMailService sendEmail = new SendMailService(renderer, core.sender, 3, metrics, recent, () -> Optional.of("req-7"), CLOCK);

    private static MailRequest request(String subject) {
        return MailRequest.of("loginWithOTP", List.of("to@example.com"), List.of("cc@example.com"), subject,
                Map.of("name", "Ann", "otp", "123456"), List.of());
    }

    private void activate() {
        repository.stores(configuration("a.example.com"));
        core.reload().reload();
    }

    @Test
    void rendersAndSendsThroughTheActiveTransport() {
        activate();

        sendEmail.send(request("Your code"));

        Fakes.Transport transport = factory.last();
        assertEquals(1, transport.sent.get());
        MailMessage message = transport.lastMessage;
        assertEquals("Your code", message.subject());
        assertEquals("<p>Ann</p>", message.htmlBody());
        assertEquals("Ann", message.textBody());
        assertEquals("to@example.com", message.to().getFirst().value());
        assertEquals("cc@example.com", message.cc().getFirst().value());
    }

    @Test
    void rendersTheMailOnlyOnceTheTransportIsReadyForIt() throws Exception {
        activate();
        AtomicInteger renders = new AtomicInteger();
        SendMailService counting = new SendMailService(new Fakes.Renderer() {
            @Override
            public RenderedMail render(MailRequest request) {
                renders.incrementAndGet();
                return super.render(request);
            }
        }, core.sender, 3, metrics, recent, CurrentRequest.NONE, CLOCK);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch ready = new CountDownLatch(1);
        factory.last().holdSends(waiting, ready);
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            Future<?> send = client.submit(() -> counting.send(request("Your code")));
            Fakes.await(waiting);

            assertEquals(0, renders.get(), "rendered while waiting for a connection");
            ready.countDown();
            send.get(10, TimeUnit.SECONDS);
        } finally {
            client.shutdownNow();
        }

        assertEquals(1, renders.get());
        assertEquals("Your code", factory.last().lastMessage.subject());
    }

    @Test
    void usesTheTemplatesSubjectWhenTheRequestHasNone() {
        activate();

        sendEmail.send(request(null));

        assertEquals("Default subject", factory.last().lastMessage.subject());
    }

    @Test
    void withNothingActiveTheSendIsRefused() {
        NotConfigured refused = assertThrows(NotConfigured.class, () -> sendEmail.send(request(null)));

        assertEquals("SMTP is not configured: store a configuration and reload it before sending mail",
                refused.getMessage());
    }

    @Test
    void afterTheConfigurationFailedToLoadTheRefusalNamesTheFailureAndWhatToDo() {
        repository.fails(new InvalidInput("port", "must be between 1 and 65535").of("The SMTP configuration in x is invalid"));
        assertThrows(InvalidInput.class, core.reload()::reload);

        NotConfigured refused = assertThrows(NotConfigured.class, () -> sendEmail.send(request(null)));

        assertEquals("SMTP is not configured: loading the stored configuration failed at 2026-12-05T10:00:00Z: The SMTP "
                + "configuration in x is invalid: port must be between 1 and 65535. Fix what this names, then reload "
                + "the configuration (or store one that works) before sending mail", refused.getMessage());
        assertEquals(refused.getMessage(), recent.recentSends().getFirst().said());
    }

    @Test
    void aReloadThatFindsNothingStoredAfterAFailureNoLongerNamesTheFailure() {
        repository.fails(new InvalidInput("port", "must be between 1 and 65535"));
        assertThrows(InvalidInput.class, core.reload()::reload);
        repository.answers(Optional::empty);
        core.reload().reload();

        NotConfigured refused = assertThrows(NotConfigured.class, () -> sendEmail.send(request(null)));

        assertEquals(new NotConfigured().getMessage(), refused.getMessage());
    }

    @Test
    void refusesMoreRecipientsThanTheCapToAndCcTogether() {
        activate();
        MailRequest fourRecipients = MailRequest.of("loginWithOTP", List.of("a@example.com", "b@example.com"),
                List.of("c@example.com", "d@example.com"), null, Map.of("name", "Ann", "otp", "1"), List.of());

        InvalidInput refusal = assertThrows(InvalidInput.class, () -> sendEmail.send(fourRecipients));

        assertEquals(Optional.of("to"), refusal.field());
        assertEquals("to may hold at most 3 addresses with the carbon copies; this mail has 4", refusal.getMessage());
        assertEquals(0, factory.last().sent.get());
    }

    @Test
    void sendsToAsManyRecipientsAsTheCapAllows() {
        activate();

        sendEmail.send(MailRequest.of("loginWithOTP", List.of("a@example.com", "b@example.com"),
                List.of("c@example.com"), null, Map.of("name", "Ann", "otp", "1"), List.of()));

        assertEquals(1, factory.last().sent.get());
    }

    @Test
    void aCapOfOneRecipientIsAllowedAndNoneIsNot() {
        assertThrows(IllegalArgumentException.class, () -> new SendMailService(renderer, core.sender, 0, metrics, recent, CurrentRequest.NONE, CLOCK));
        SendMailService one = new SendMailService(renderer, core.sender, 1, metrics, recent, CurrentRequest.NONE, CLOCK);
        activate();

        one.send(MailRequest.of("loginWithOTP", List.of("a@example.com"), List.of(), null,
                Map.of("name", "Ann", "otp", "1"), List.of()));

        assertEquals(1, factory.last().sent.get());
    }

    @Test
    void aRefusedRequestIsLoggedAsInformationAndEachSendReportsHowLongItTook() {
        activate();
        try (LogCapture log = LogCapture.of(SendMailService.class)) {
            assertThrows(InvalidInput.class, () -> sendEmail.send(MailRequest.of("loginWithOTP",
                    List.of("a@example.com", "b@example.com", "c@example.com", "d@example.com"), List.of(), null,
                    Map.of("name", "Ann", "otp", "1"), List.of())));

            assertTrue(log.lines().getFirst().startsWith("INFO Mail invalid: template loginWithOTP, 4 recipient(s), "),
                    log.lines().toString());
        }
        Duration took = metrics.durations.getLast();
        assertTrue(!took.isNegative() && took.compareTo(Duration.ofMinutes(1)) < 0, took.toString());
    }

    @Test
    void aSentMailLeavesOneLogLineWithItsAttemptsAndTheServersReply() {
        activate();
        List<String> lines;
        try (LogCapture log = LogCapture.of(SendMailService.class)) {
            sendEmail.send(request("Your code"));
            lines = log.lines();
        }

        assertEquals(1, lines.size(), lines.toString());
        String line = lines.getFirst();
        assertTrue(line.startsWith("INFO Mail sent: template loginWithOTP, 2 recipient(s), "), line);
        assertTrue(line.endsWith(" ms, 1 attempt; the server said: 250 2.0.0 Ok: queued"), line);
        assertFalse(line.contains("to@example.com"), "an address in the log: " + line);
        assertEquals(List.of("mail loginWithOTP sent"), mailEvents());
    }

    @Test
    void eachEndingOfAFailedSendIsCountedAndLoggedOnceWithItsAttempts() {
        activate();
        Map<DeliveryFailed, String> endings = Map.of(
                DeliveryFailed.temporary("not now", 3, Duration.ofSeconds(30), null), "temporary_failure",
                DeliveryFailed.refused("never", 1, null), "refused",
                DeliveryFailed.uncertain("who knows", 2, null), "uncertain");

        for (Map.Entry<DeliveryFailed, String> ending : endings.entrySet()) {
            factory.last().failWith(ending.getKey());
            List<String> lines;
            DeliveryFailed thrown;
            try (LogCapture log = LogCapture.of(SendMailService.class)) {
                thrown = assertThrows(DeliveryFailed.class, () -> sendEmail.send(request("Your code")));
                lines = log.lines();
            }

            assertSame(ending.getKey(), thrown);
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.getFirst().startsWith("WARNING "), lines.getFirst());
            String attempts = thrown.attempts() == 1 ? "1 attempt" : thrown.attempts() + " attempts";
            assertTrue(lines.getFirst().endsWith(" ms, " + attempts + ": " + thrown.getMessage()), lines.getFirst());
            assertEquals("mail loginWithOTP " + ending.getValue(), mailEvents().getLast());
        }
    }

    private List<String> mailEvents() {
        return metrics.events.stream().filter(event -> event.startsWith("mail ")).toList();
    }


    @Test
    void eachSendIsKeptNewestFirstWithItsSubjectOutcomeReplyAndRequest() {
        activate();
        sendEmail.send(request("First"));
        factory.last().failWith(DeliveryFailed.refused("550 5.1.1 no such user", 1, null));
        assertThrows(DeliveryFailed.class, () -> sendEmail.send(request("Second")));
        factory.last().failWith(null);
        sendEmail.send(request("Third"));

        List<GetRecentSends.RecentSend> kept = recent.recentSends();
        assertEquals(List.of("Third", "Second"), kept.stream().map(send -> send.subject().orElseThrow()).toList(),
                "newest first, as many as kept");
        GetRecentSends.RecentSend refused = kept.get(1);
        assertEquals("refused", refused.outcome());
        assertTrue(refused.said().contains("550 5.1.1 no such user"), refused.said());
        assertEquals(Optional.empty(), refused.messageId());
        GetRecentSends.RecentSend sent = kept.get(0);
        assertEquals("sent", sent.outcome());
        assertTrue(sent.said().endsWith("the server said: 250 2.0.0 Ok: queued"), sent.said());
        assertEquals(Optional.of("<fake-1@example.com>"), sent.messageId());
        assertEquals(Optional.of("req-7"), sent.requestId());
        assertEquals(CLOCK.instant(), sent.at());
        assertEquals(List.of("to@example.com"), sent.to());
        assertEquals(List.of("cc@example.com"), sent.cc());
    }

    @Test
    void noSendIsKeptWhenTurnedOff() {
        RecentSends off = new RecentSends(0);
        activate();
        new SendMailService(renderer, core.sender, 3, metrics, off, CurrentRequest.NONE, CLOCK).send(request("Kept?"));

        assertEquals(List.of(), off.recentSends());
    }

    @Test
    void aKeptSendIsSmallWhateverItsRequestHeld() {
        RecentSends kept = new RecentSends(1);
        List<String> many = java.util.stream.IntStream.range(0, 25).mapToObj(i -> "to" + i + "@example.com").toList();
        kept.record(new GetRecentSends.RecentSend(CLOCK.instant(), "loginWithOTP", Optional.of("s".repeat(10_000)), many,
                List.of(), "sent", "r".repeat(10_000), Optional.empty(), java.time.Duration.ZERO, Optional.empty()));

        GetRecentSends.RecentSend send = kept.recentSends().get(0);
        assertEquals(RecentSends.MOST_CHARACTERS + 1, send.subject().orElseThrow().length());
        assertEquals(RecentSends.MOST_CHARACTERS + 1, send.said().length());
        assertEquals(RecentSends.MOST_ADDRESSES + 1, send.to().size());
        assertEquals("… 5 more", send.to().get(RecentSends.MOST_ADDRESSES));
    }
}
