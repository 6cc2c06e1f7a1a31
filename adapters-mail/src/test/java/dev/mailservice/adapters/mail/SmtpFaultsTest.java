package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.FaultSmtpServer;
import dev.mailservice.testkit.FaultSmtpServer.Delivery;
import dev.mailservice.testkit.SmtpScenario;
import dev.mailservice.testkit.SmtpScenario.Farewell;
import dev.mailservice.testkit.SmtpScenario.Greeting;
import dev.mailservice.testkit.SmtpScenario.Moment;
import dev.mailservice.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What SMTP servers routinely do, and what broken or hostile ones do, against the transport, each
 * a scenario of a {@link FaultSmtpServer}, one mail at a time and 8 at once. Every mail ends one of
 * three ways, and every test counts the copies the server took: delivered exactly once and said
 * so; refused, with nothing delivered; or, only where the server was handed the whole mail and
 * went without answering, said to have possibly been delivered, and not sent again.
 */
class SmtpFaultsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    /** How long the server lets a connection idle; {@link #GAP} is longer. */
    private static final Duration SERVER_IDLE_LIMIT = Duration.ofMillis(300);
    private static final Duration GAP = Duration.ofMillis(500);
    private static final int CLIENTS = 8;
    private static final int MAILS_EACH = 60;
    private static final String USER = "sender";
    private static final String PASSWORD = "Send3r-Pa55word";

    @TempDir
    static Path certificates;
    private static SSLContext serverTls;
    private static SSLContext otherHostsTls;
    private static SSLSocketFactory clientTls;

    private FaultSmtpServer server;
    /** The subject of every mail the test sent. */
    private final Set<String> asked = ConcurrentHashMap.newKeySet();
    private int rounds;
    /** Whether the transport logs in: set before {@link #serve} by the tests that speak STARTTLS with a login. */
    private boolean logsIn;
    private JakartaMailTransportFactory factory;
    private MailTransport transport;

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates.create(certificates);
        serverTls = TestCertificates.serving(certificates, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
        TestCertificates.createServer(certificates, "other", "DNS:mail.example.test", 2);
        otherHostsTls = TestCertificates.serving(certificates, "other.pem", "other.key");
        clientTls = TestCertificates.trustingOnly(certificates.resolve(TestCertificates.CA_FILE)).getSocketFactory();
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        server.close();
    }

    private void serve(SmtpScenario scenario) {
        serve(scenario, CLIENTS);
    }

    private void serve(SmtpScenario scenario, int poolSize) {
        serve(scenario, poolSize, DEADLINE);
    }

    private void serve(SmtpScenario scenario, int poolSize, Duration deadline) {
        server = FaultSmtpServer.start(scenario);
        factory = new JakartaMailTransportFactory(TestTransports.settings(TIMEOUT, poolSize, Duration.ofMinutes(1), false)
                .withSendDeadline(deadline), Optional.of(clientTls), JakartaMailTransportFactory.TRUSTED_WITHOUT_CHECK,
                Duration.ofMillis(200));
        transport = TestTransports.create(factory, SmtpConfiguration.of("localhost", server.port(), logsIn ? USER : null,
                logsIn ? PASSWORD : null, "noreply@example.com", false));
    }

    /** How one send ended: delivered, or the failure it ended with. */
    private record Outcome(String subject, Optional<DeliveryFailed> failure, int attempts) {

        boolean delivered() {
            return failure.isEmpty();
        }

        Optional<DeliveryFailed.Ending> ending() {
            return failure.map(DeliveryFailed::ending);
        }
    }

    private static MailMessage mail(String subject, String... to) {
        return new MailMessage(List.of(to).stream().map(EmailAddress::new).toList(), List.of(), subject,
                "<p>" + subject + "</p>", subject, List.of());
    }

    private Outcome send(String subject, String... to) {
        assertTrue(asked.add(subject), "a subject of its own for each mail: " + subject);
        MailMessage message = mail(subject, to.length == 0 ? new String[] {"alice@example.com"} : to);
        try {
            MailTransport.Sent sent = transport.send(() -> message);
            return new Outcome(subject, Optional.empty(), sent.attempts());
        } catch (DeliveryFailed failed) {
            return new Outcome(subject, Optional.of(failed), failed.attempts());
        }
    }

    /** {@code mails} sends one after the other, {@code gap} apart. */
    private List<Outcome> oneAtATime(int mails, Duration gap) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 1; i <= mails; i++) {
            outcomes.add(send("single " + i));
            Thread.sleep(gap);
        }
        return outcomes;
    }

    /**
     * {@code mails} mails sent one at a time, each once the server closed the connection of the one
     * before for its idle limit: waited for, not slept, so that a server slow to close cannot leave a
     * mail the connection before it.
     */
    private List<Outcome> oneAtATimeEachAfterAnIdleClose(int mails) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 1; i <= mails; i++) {
            outcomes.add(send("single " + i));
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.connectionsOpen() > 0) {
                assertTrue(System.nanoTime() < giveUp, "the server never closed the idle connection");
                Thread.sleep(10);
            }
        }
        return outcomes;
    }

    /** {@link #CLIENTS} clients sending {@link #MAILS_EACH} each at once, each pausing {@code pause} after every tenth. */
    private List<Outcome> eightAtOnce(Duration pause) throws Exception {
        int round = ++rounds;
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        Collection<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int number = client;
                running.add(clients.submit(() -> {
                    for (int i = 1; i <= MAILS_EACH; i++) {
                        outcomes.add(send("round " + round + " client " + number + " mail " + i));
                        if (i % 10 == 0) {
                            Thread.sleep(pause);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get(2, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        return List.copyOf(outcomes);
    }

    /**
     * Each mail delivered once and said so, or not delivered and said why; none twice; nothing the
     * server took that no send asked for. Where the server may have taken a mail it did not answer
     * for, that mail alone may have a copy, and was said to be uncertain.
     */
    private void assertEachMailDeliveredOnceOrNotAtAll(List<Outcome> outcomes) {
        Map<String, Long> copies = server.deliveries().stream()
                .collect(Collectors.groupingBy(Delivery::subject, Collectors.counting()));
        for (Outcome outcome : outcomes) {
            long taken = copies.getOrDefault(outcome.subject(), 0L);
            if (outcome.delivered()) {
                assertEquals(1, taken, () -> outcome + " was answered as sent; the server took " + server.deliveries()
                        .stream().filter(delivery -> delivery.subject().equals(outcome.subject()))
                        .map(delivery -> "on connection " + delivery.connection()).toList());
            } else if (outcome.ending().orElseThrow() == DeliveryFailed.Ending.UNCERTAIN) {
                assertTrue(taken <= 1, outcome.subject() + " was taken " + taken + " times");
            } else {
                assertEquals(0, taken, outcome.subject() + " failed as " + outcome.failure().orElseThrow().getMessage());
            }
        }
        assertTrue(asked.containsAll(copies.keySet()), "the server took a mail no send asked for");
    }

    private void assertEveryMailDelivered(List<Outcome> outcomes) {
        assertEachMailDeliveredOnceOrNotAtAll(outcomes);
        List<String> failed = outcomes.stream().filter(outcome -> !outcome.delivered())
                .map(outcome -> outcome.subject() + ": " + outcome.failure().orElseThrow().getMessage()).toList();
        assertEquals(List.of(), failed);
    }

    // Everyday provider and relay behaviour: every mail is delivered.

    @Test
    void aServerClosingIdleConnectionsQuietlyLosesNoMail() throws Exception {
        serve(SmtpScenario.behaving().closesIdleConnectionsAfter(SERVER_IDLE_LIMIT, Farewell.QUIET));

        List<Outcome> outcomes = oneAtATimeEachAfterAnIdleClose(10);

        assertEveryMailDelivered(outcomes);
        assertTrue(outcomes.stream().skip(1).allMatch(outcome -> outcome.attempts() == 2),
                "each mail after the first found its connection closed and went on a fresh one");
        assertEquals(9, factory.meters().retries("connection_closed"));
        assertEveryMailDelivered(eightAtOnce(GAP));
    }

    @Test
    void aServerClosingIdleConnectionsWith421LosesNoMail() throws Exception {
        serve(SmtpScenario.behaving().closesIdleConnectionsAfter(SERVER_IDLE_LIMIT, Farewell.SAY_421));

        assertEveryMailDelivered(oneAtATime(10, GAP));
        assertEveryMailDelivered(eightAtOnce(GAP));
    }

    @Test
    void aServerAnswering421ToTheThirdMailOfAConnectionLosesNoMail() throws Exception {
        serve(SmtpScenario.behaving().answersMailFrom(moment -> moment.mailOnConnection() == 3,
                "421 4.7.0 Try again later, closing connection"));

        assertEveryMailDelivered(oneAtATime(12, Duration.ZERO));
        assertEveryMailDelivered(eightAtOnce(Duration.ZERO));
    }

    @Test
    void aServerClosingAConnectionAfterThreeMailsQuietlyLosesNoMail() throws Exception {
        serve(SmtpScenario.behaving().closesConnectionsAfterMails(3, Farewell.QUIET));

        assertEveryMailDelivered(oneAtATime(12, Duration.ZERO));
        assertEveryMailDelivered(eightAtOnce(Duration.ZERO));
    }

    @Test
    void aServerClosingAConnectionAfterThreeMailsWith421LosesNoMail() throws Exception {
        serve(SmtpScenario.behaving().closesConnectionsAfterMails(3, Farewell.SAY_421));

        assertEveryMailDelivered(oneAtATime(12, Duration.ZERO));
        assertEveryMailDelivered(eightAtOnce(Duration.ZERO));
    }

    @Test
    void aServerRefusingTheFourthMailOfAConnectionWith421LosesNoMail() throws Exception {
        serve(SmtpScenario.behaving().answersMailFrom(moment -> moment.mailOnConnection() == 4,
                "421 4.7.0 faults.smtp.test Too many messages on this connection"));

        assertEveryMailDelivered(oneAtATime(12, Duration.ZERO));
        assertEveryMailDelivered(eightAtOnce(Duration.ZERO));
    }

    @Test
    void aTemporaryRefusalOfARecipientIsTriedAgainAfterADelay() throws Exception {
        serve(SmtpScenario.behaving().answersRecipient(moment -> moment.recipient() == 3
                || SmtpScenario.some(5, Moment::recipient).test(moment) && moment.recipient() > 12,
                "451 4.3.0 Temporary lookup failure"));

        List<Outcome> single = oneAtATime(10, Duration.ZERO);

        assertEveryMailDelivered(single);
        assertEquals(2, single.get(2).attempts(), "the refused mail was not tried again once");
        assertTrue(factory.meters().retries("temporary_refusal") >= 1);
        assertEveryMailDelivered(eightAtOnce(Duration.ZERO));
    }

    @Test
    void aFullMailboxAmongTheRecipientsRefusesTheMailForNowNotTakenForALimitOnRecipients() throws Exception {
        // A full mailbox is 452 4.2.2 (Gmail's answer), a limit on recipients 452 4.5.3: taken for a limit,
        // the mail would go to the first recipient alone, and the ones after the full mailbox never.
        serve(SmtpScenario.behaving().answersRecipient(moment -> moment.recipient() == 2,
                "452 4.2.2 The email account that you tried to reach is over quota"));

        Outcome outcome = send("to three", "a@example.com", "b@example.com", "c@example.com");

        assertEveryMailDelivered(List.of(outcome));
        assertEquals(2, outcome.attempts());
        assertEquals(1, server.commandsReceived("DATA"), "the mail was split at the full mailbox");
        for (String recipient : List.of("a@example.com", "b@example.com", "c@example.com")) {
            assertEquals(1, server.copiesOf("to three", recipient), recipient);
        }
        assertEquals(1, factory.meters().retries("temporary_refusal"));
    }

    @Test
    void aServerThatIsDownForASecondGetsTheMailOnceItIsBack() throws Exception {
        serve(SmtpScenario.behaving());
        send("before").failure().ifPresent(failure -> {
            throw new AssertionError(failure);
        });

        server.goDownFor(Duration.ofSeconds(1));
        Outcome during = send("during the outage");

        assertEveryMailDelivered(List.of(send("never mind"), during));
        assertTrue(during.attempts() > 1, "delivered at the first attempt while the server was down");
        assertTrue(factory.meters().retries("connection_failed") >= 1);
    }

    // Refusals for good: nothing delivered, nothing tried again, the server's reply quoted.

    @Test
    void aPermanentRefusalOfARecipientNamesItAndIsNotTriedAgain() throws Exception {
        serve(SmtpScenario.behaving().answersRecipient(moment -> moment.recipient() % 2 == 0,
                "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"));

        Outcome refused = send("to bob", "alice@example.com", "bob@example.com");

        assertEachMailDeliveredOnceOrNotAtAll(List.of(refused));
        DeliveryFailed failure = refused.failure().orElseThrow();
        assertEquals(DeliveryFailed.Ending.REFUSED, failure.ending());
        assertEquals(1, failure.attempts());
        assertTrue(failure.getMessage().contains("refused the recipient bob@example.com (550 5.1.1 <bob@example.com>: "
                + "Recipient address rejected: User unknown)"), failure.getMessage());
        assertEveryMailDelivered(List.of(send("to alice")));
        assertEquals(1, server.connectionsAccepted(), "the connection did not carry the next mail after a refusal");
    }

    @Test
    void aConnectionWhoseResetWasAnswered421IsNotLentAgain() throws Exception {
        // As Postfix under stress answers the RSET that follows a refused recipient: it is closing.
        serve(SmtpScenario.behaving().answersRecipient(moment -> moment.recipient() == 2, "550 5.1.1 User unknown")
                .answersReset("421 4.7.0 Too many errors, closing"), 1);

        Outcome refused = send("to a stranger", "alice@example.com", "stranger@example.com");
        Outcome next = send("the next one");

        assertEquals(Optional.of(DeliveryFailed.Ending.REFUSED), refused.ending(), refused.toString());
        assertEachMailDeliveredOnceOrNotAtAll(List.of(refused));
        assertEveryMailDelivered(List.of(next));
        assertEquals(1, next.attempts(), "the next mail was tried on the closing connection first");
        assertEquals(2, server.connectionsAccepted());
    }

    @Test
    void aPermanentRefusalAtTheEndOfTheMailIsNotTriedAgain() throws Exception {
        serve(SmtpScenario.behaving().answersDot(moment -> moment.mail() == 1, "554 5.7.1 Message rejected as spam"));

        Outcome refused = send("spam");

        assertEachMailDeliveredOnceOrNotAtAll(List.of(refused));
        assertEquals(Optional.of(DeliveryFailed.Ending.REFUSED), refused.ending());
        assertTrue(refused.failure().orElseThrow().getMessage().contains("554 5.7.1 Message rejected as spam"));
        assertEquals(1, refused.attempts());
    }

    @Test
    void aTemporaryRefusalAtTheEndOfTheMailMeansNotTakenAndIsTriedAgain() throws Exception {
        serve(SmtpScenario.behaving().answersDot(moment -> moment.mail() == 1, "451 4.7.1 Please try again later"));

        Outcome outcome = send("greylisted");

        assertEveryMailDelivered(List.of(outcome));
        assertEquals(2, outcome.attempts());
    }

    @Test
    void aServerTakingFewerRecipientsAMailGetsTheMailInPartsEachRecipientOnce() throws Exception {
        serve(SmtpScenario.behaving().takesRecipientsPerMail(2));
        String[] five = IntStream.rangeClosed(1, 5).mapToObj(i -> "r" + i + "@example.com").toArray(String[]::new);

        Outcome outcome = send("to five", five);

        assertTrue(outcome.delivered(), outcome.toString());
        for (String recipient : five) {
            assertEquals(1, server.copiesOf("to five", recipient), recipient);
        }
        assertEquals(3, server.copiesOf("to five"), "two, two and one recipients a mail");
        assertEquals(1, factory.meters().retries("recipient_limit"));
    }

    @Test
    void aCertificateForAnotherHostOrFromAnUnknownAuthorityIsRefusedAtOnce() throws Exception {
        logsIn = true;
        serve(SmtpScenario.behaving().startTls(otherHostsTls).login(USER, PASSWORD));

        Outcome otherHost = send("to the wrong host");
        transport.close();
        transport = TestTransports.create(TestTransports.factory(TIMEOUT, 1, Duration.ofMinutes(1), false, Optional.empty()),
                SmtpConfiguration.of("localhost", server.port(), USER, PASSWORD, "noreply@example.com", false));
        Outcome unknownAuthority = send("from an unknown authority");

        for (Outcome refused : List.of(otherHost, unknownAuthority)) {
            assertEquals(Optional.of(DeliveryFailed.Ending.REFUSED), refused.ending(), refused.toString());
            assertEquals(1, refused.attempts());
            assertTrue(refused.failure().orElseThrow().getMessage().startsWith("The TLS certificate of the SMTP server "
                    + "localhost:" + server.port() + " is not trusted"), refused.toString());
            assertFalse(refused.failure().orElseThrow().getMessage().contains(PASSWORD));
        }
        assertEachMailDeliveredOnceOrNotAtAll(List.of(otherHost, unknownAuthority));
        assertEquals(0, server.commandsReceived("AUTH"), "a login was sent over TLS the service does not trust");
    }

    @Test
    void aRefusalAfterWhichTheServerClosesLeavesNoClosedConnectionForTheNextMail() throws Exception {
        serve(SmtpScenario.behaving().closesAfterEachRefusal()
                .answersMailFrom(moment -> moment.mail() == 1, "554 5.7.1 Go away")
                .answersRecipient(moment -> moment.mail() == 2, "550 5.1.1 No such user"), 1);

        List<Outcome> outcomes = oneAtATime(3, Duration.ZERO);

        assertEachMailDeliveredOnceOrNotAtAll(outcomes);
        assertEquals(Optional.of(DeliveryFailed.Ending.REFUSED), outcomes.get(0).ending());
        assertTrue(outcomes.get(0).failure().orElseThrow().getMessage().contains("554 5.7.1 Go away"),
                outcomes.get(0).toString());
        assertEquals(Optional.of(DeliveryFailed.Ending.REFUSED), outcomes.get(1).ending());
        assertTrue(outcomes.get(2).delivered(), outcomes.get(2).toString());
        assertEquals(1, outcomes.get(2).attempts(), "a connection the server had closed was lent again");
    }

    @Test
    void aResetOrASilenceDuringTheLoginIsTriedAgainNotTakenForARefusal() throws Exception {
        logsIn = true;
        serve(SmtpScenario.behaving().login(USER, PASSWORD)
                .resetsAt("AUTH", moment -> moment.connection() == 1)
                .pausesBefore("AUTH", moment -> moment.connection() == 2, TIMEOUT.multipliedBy(2)));

        Outcome outcome = send("after two failed logins");

        assertEveryMailDelivered(List.of(outcome));
        assertEquals(3, outcome.attempts());
        assertEquals(2, factory.meters().retries("connection_failed"));
    }

    /**
     * A close during the login, or a reply cut off by one, has no code either, but is no refusal:
     * without TLS, and over STARTTLS, where the server says goodbye in TLS first.
     */
    @ParameterizedTest(name = "over STARTTLS: {0}")
    @ValueSource(booleans = {false, true})
    void aCloseOrAReplyCutOffDuringTheLoginIsTriedAgainNotTakenForARefusal(boolean startTls) throws Exception {
        logsIn = true;
        SmtpScenario scenario = SmtpScenario.behaving().login(USER, PASSWORD)
                .closesAt("AUTH", moment -> moment.connection() == 1)
                .answersLoginThenCloses(moment -> moment.connection() == 2, "535-5.7.8 Authentication");
        serve(startTls ? scenario.startTls(serverTls) : scenario);

        Outcome outcome = send("after a close and a login reply cut off");

        assertEveryMailDelivered(List.of(outcome));
        assertEquals(3, outcome.attempts());
        assertEquals(2, factory.meters().retries("connection_failed"));
    }

    /**
     * A reply without a code to a login is no lost connection: tried again, it would be one failed
     * login after another until the deadline, which providers count towards locking the account.
     */
    @Test
    void aLoginAnsweredWithoutACodeIsARefusalNotTriedAgain() throws Exception {
        logsIn = true;
        serve(SmtpScenario.behaving().login(USER, PASSWORD).answersLogin("Authentication failed, try later"));

        Outcome refused = send("after a login answered without a code");

        assertEquals(Optional.of(DeliveryFailed.Ending.REFUSED), refused.ending(), refused.toString());
        String message = refused.failure().orElseThrow().getMessage();
        assertTrue(message.contains("refused the login of user '" + USER + "' with a reply without a code: "
                + "Authentication failed, try later"), message);
        assertEquals(1, refused.attempts());
        assertEquals(1, server.commandsReceived("AUTH"));
    }

    @Test
    void theEndOfTheStreamAtARecipientIsALostConnectionNotARefusal() throws Exception {
        serve(SmtpScenario.behaving().resetsAt("RCPT", moment -> moment.connection() == 1), 1);

        Outcome outcome = send("after a reset at RCPT");

        assertEveryMailDelivered(List.of(outcome));
        assertEquals(2, outcome.attempts());
        assertEquals(1, factory.meters().retries("connection_failed"));
        assertEquals(0, factory.meters().retries("temporary_refusal"));
        assertEquals(2, server.connectionsAccepted(), "the mail went again on the connection that was reset");
    }

    @Test
    void aMailThatReachedSomeRecipientsEndsUncertainWhateverStopsTheRest() throws Exception {
        // One recipient a mail (the first try, to both, meets 452; the first part goes); the second part is
        // refused for now, and while it waits to go again another send takes the only connection and holds
        // it longer than a send waits for one (three slow replies, each well within the timeout). The other
        // send asks for the connection while the refusal is held back, so that it waits in line for it before
        // the second part's next try does: its start, racing a retry a few milliseconds later, could lose.
        Duration slowReply = TIMEOUT.dividedBy(2);
        serve(SmtpScenario.behaving().takesRecipientsPerMail(1)
                .pausesBefore("MAIL", moment -> moment.mail() == 3 || moment.mail() == 4, slowReply)
                .answersMailFrom(moment -> moment.mail() == 3, "451 4.3.0 Try again later")
                .pausesBefore("RCPT", moment -> moment.mail() == 4, slowReply)
                .pausesBefore("DATA", moment -> moment.mail() == 4, slowReply), 1);
        Thread other = Thread.ofVirtual().start(() -> {
            try {
                while (server.commandsReceived("MAIL") < 3) {
                    Thread.sleep(1);
                }
                send("holds the connection");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        Outcome split = send("in two parts", "a@example.com", "b@example.com");
        other.join();

        DeliveryFailed failure = split.failure().orElseThrow(() -> new AssertionError(split.toString()));
        assertEquals(DeliveryFailed.Ending.UNCERTAIN, failure.ending(), failure.getMessage());
        assertTrue(failure.getMessage().endsWith("the mail reached a@example.com but not b@example.com, and was not "
                + "sent again"), failure.getMessage());
        assertEquals(1, server.copiesOf("in two parts", "a@example.com"));
        assertEquals(0, server.copiesOf("in two parts", "b@example.com"));
        assertEquals(1, server.copiesOf("holds the connection"));
    }

    @Test
    void aMailSentInPartsWhoseLastPartWentUnansweredSaysThoseRecipientsMayHaveIt() throws Exception {
        // One recipient a mail: a goes in the second mail, b in the third, whose end gets no answer.
        serve(SmtpScenario.behaving().takesRecipientsPerMail(1).resetsAfterDot(moment -> moment.mail() == 3), 1);

        Outcome split = send("the last part unanswered", "a@example.com", "b@example.com");

        DeliveryFailed failure = split.failure().orElseThrow(() -> new AssertionError(split.toString()));
        assertEquals(DeliveryFailed.Ending.UNCERTAIN, failure.ending(), failure.getMessage());
        assertTrue(failure.getMessage().endsWith("the mail reached a@example.com, may have reached b@example.com, "
                + "and was not sent again"), failure.getMessage());
        assertEquals(1, server.copiesOf("the last part unanswered", "a@example.com"));
        assertEquals(1, server.copiesOf("the last part unanswered", "b@example.com"), "the server kept what it took");
    }

    // A mail handed over without an answer: said to be uncertain, never sent again.

    /**
     * EHLO names the client by its address on the connection, never by a name looked up in DNS (which no
     * timeout of the send would bound).
     */
    @Test
    void theClientGreetsWithItsAddressOnTheConnection() {
        serve(SmtpScenario.behaving());

        assertEquals(Optional.empty(), send("greeted").failure().map(Throwable::getMessage));

        assertEquals(1, server.greetedAs().size(), server.greetedAs().toString());
        assertTrue(server.greetedAs().getFirst().matches("\\[(127\\.0\\.0\\.1|IPv6:[0-9a-f:]+)]"),
                server.greetedAs().toString());
    }

    /**
     * A reply too short to hold a number: Angus sends RSET after it; after a longer one, it closes the
     * connection with QUIT, within its read of that reply. Neither's answer says anything of the mail: a
     * 4xx would have it sent again, a 5xx have it called refused.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "k | 451 4.3.0 Busy, try again | 221 2.0.0 Bye",
        "Queued as ABC123 | 250 2.0.0 Ok | 421 4.3.2 Shutting down",
        "Queued as ABC123 | 250 2.0.0 Ok | 500 5.5.1 What?"})
    void anUnreadableAnswerToTheEndOfTheMailIsPossiblyDeliveredWhateverTheResetOrQuitAfterItSays(String dotReply,
            String resetReply, String quitReply) throws Exception {
        serve(SmtpScenario.behaving().answersDot(moment -> moment.mail() == 1, dotReply)
                .answersReset(resetReply).answersQuit(quitReply));

        Outcome outcome = send("answered without a number");

        assertEachMailDeliveredOnceOrNotAtAll(List.of(outcome));
        assertEquals(Optional.of(DeliveryFailed.Ending.UNCERTAIN), outcome.ending(), outcome.toString());
        assertEquals(1, outcome.attempts());
        assertEquals(1, server.commandsReceived("MAIL"), "the mail was sent again");
    }

    @Test
    void aSilenceAfterTheEndOfTheMailIsReportedAsPossiblyDeliveredAndNeverSentAgain() throws Exception {
        serve(SmtpScenario.behaving().pausesBefore(".", moment -> moment.mail() == 1, TIMEOUT.multipliedBy(2)));

        Outcome outcome = send("taken in silence");

        assertEachMailDeliveredOnceOrNotAtAll(List.of(outcome));
        assertEquals(Optional.of(DeliveryFailed.Ending.UNCERTAIN), outcome.ending(), outcome.toString());
        assertEquals(1, outcome.attempts());
        assertTrue(outcome.failure().orElseThrow().getMessage().contains("may have been delivered"));
        assertEquals(1, server.copiesOf("taken in silence"));
    }

    @Test
    void aResetAfterTheEndOfTheMailIsReportedAsPossiblyDeliveredAndNeverSentAgain() throws Exception {
        serve(SmtpScenario.behaving().resetsAfterDot(moment -> moment.mail() % 5 == 2));

        List<Outcome> single = oneAtATime(10, Duration.ZERO);

        assertEachMailDeliveredOnceOrNotAtAll(single);
        List<Outcome> uncertain = single.stream().filter(outcome -> !outcome.delivered()).toList();
        assertEquals(2, uncertain.size(), single.toString());
        for (Outcome outcome : uncertain) {
            assertEquals(Optional.of(DeliveryFailed.Ending.UNCERTAIN), outcome.ending());
            assertEquals(1, outcome.attempts());
            assertEquals(1, server.copiesOf(outcome.subject()), "the server kept what it took before the reset");
            assertTrue(outcome.failure().orElseThrow().getMessage().contains("may have been delivered"));
        }
        List<Outcome> atOnce = eightAtOnce(Duration.ZERO);
        assertEachMailDeliveredOnceOrNotAtAll(atOnce);
        assertTrue(atOnce.stream().allMatch(outcome -> outcome.delivered()
                || outcome.ending().orElseThrow() == DeliveryFailed.Ending.UNCERTAIN), atOnce.toString());
        // The server's mails 11 on, as many as were sent (a multiple of 5): one in five met the reset.
        assertEquals(CLIENTS * MAILS_EACH / 5, atOnce.stream().filter(outcome -> !outcome.delivered()).count());
    }

    // Broken or hostile servers: bounded, whatever they send.

    @Test
    void anEndlessGreetingLineOnTheFirstTwoConnectionsIsDroppedAndTheMailGoesOnTheThird() throws Exception {
        theMailGoesOnTheThirdConnectionAfterTwoGreetings(new Greeting.EndlessLine());
    }

    @Test
    void anEndlessMultiLineGreetingOnTheFirstTwoConnectionsIsDroppedAndTheMailGoesOnTheThird() throws Exception {
        theMailGoesOnTheThirdConnectionAfterTwoGreetings(new Greeting.EndlessLines());
    }

    private void theMailGoesOnTheThirdConnectionAfterTwoGreetings(Greeting endless) throws Exception {
        serve(SmtpScenario.behaving().greets(connection -> connection <= 2, endless), 1);

        List<Outcome> outcomes = oneAtATime(3, Duration.ZERO);

        assertEveryMailDelivered(outcomes);
        assertEquals(3, outcomes.getFirst().attempts());
        assertEquals(3, server.connectionsAccepted());
        assertEquals(2, factory.meters().retries("connection_failed"));
    }

    @Test
    void anEndlessEhloIsDroppedWithAClearErrorAndFreesItsPlace() throws Exception {
        serve(SmtpScenario.behaving().answersEhloEndlessly(), 1, Duration.ofSeconds(3));

        Outcome outcome = assertTimeoutPreemptively(Duration.ofMinutes(1), () -> send("never"));

        DeliveryFailed failure = outcome.failure().orElseThrow();
        assertEquals(DeliveryFailed.Ending.TEMPORARY, failure.ending());
        assertTrue(failure.getMessage().contains("was dropped: the server sent more than 64 KiB without ending its reply"),
                failure.getMessage());
        assertEquals(0, factory.meters().busy(), "a connection's place was kept after it was dropped");
        assertEachMailDeliveredOnceOrNotAtAll(List.of(outcome));
    }

    @Test
    void aTricklingGreetingIsAnsweredAtTheSendsDeadline() throws Exception {
        serve(SmtpScenario.behaving().greets(connection -> true, new Greeting.Trickle(Duration.ofMillis(500))), 1,
                Duration.ofSeconds(3));

        long started = System.nanoTime();
        // A guard against a hang, not a speed target: the trickle never ends, the deadline is 3 s.
        Outcome outcome = assertTimeoutPreemptively(Duration.ofMinutes(1), () -> send("trickled"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(Optional.of(DeliveryFailed.Ending.TEMPORARY), outcome.ending());
        assertTrue(outcome.failure().orElseThrow().getMessage().startsWith("No answer from the SMTP server localhost:"
                + server.port() + " before the send's deadline"), outcome.failure().orElseThrow().getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(3).plus(TIMEOUT)) < 0, "answered after " + took);
        assertEachMailDeliveredOnceOrNotAtAll(List.of(outcome));
    }

    /**
     * A send whose deadline cut its last attempt short says what the attempt before it met: the
     * deadline alone would hide the server's refusal.
     */
    @Test
    void aSendItsDeadlineCutShortAlsoTellsWhatTheAttemptBeforeMet() throws Exception {
        serve(SmtpScenario.behaving().answersMailFrom(moment -> moment.connection() == 1, "451 4.3.0 Try again later")
                .closesAfterEachRefusal()
                .greets(connection -> connection >= 2, new Greeting.Trickle(Duration.ofMillis(500))), 1,
                Duration.ofSeconds(2));

        Outcome outcome = assertTimeoutPreemptively(Duration.ofMinutes(1), () -> send("cut short"));

        assertEquals(Optional.of(DeliveryFailed.Ending.TEMPORARY), outcome.ending());
        String message = outcome.failure().orElseThrow().getMessage();
        assertTrue(message.startsWith("No answer from the SMTP server localhost:" + server.port()
                + " before the send's deadline"), message);
        assertTrue(message.endsWith("; the attempt before the last: The SMTP server localhost:" + server.port()
                + " did not accept the mail: 451 4.3.0 Try again later"), message);
        assertEachMailDeliveredOnceOrNotAtAll(List.of(outcome));
    }

    /**
     * A send that, after a refused attempt, finds every connection busy until its deadline is
     * answered as overloaded, and also says what its attempt met: the busy connections alone would
     * hide the server's refusal.
     */
    @Test
    void aSendThatWaitedInVainAfterARefusalAlsoTellsWhatItsAttemptMet() throws Exception {
        // One connection: the refused send's first attempt holds it half a second, while the other
        // send queues for it and takes it at the refusal, then holds it past both deadlines on a
        // greeting that never ends.
        serve(SmtpScenario.behaving().pausesBefore("MAIL", moment -> moment.connection() == 1, Duration.ofMillis(500))
                .answersMailFrom(moment -> moment.connection() == 1, "451 4.3.0 Try again later")
                .closesAfterEachRefusal()
                .greets(connection -> connection >= 2, new Greeting.Trickle(Duration.ofMillis(500))), 1,
                Duration.ofSeconds(2));
        asked.add("refused, then waited");
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<Outcome> holder = other.submit(() -> {
                // Once the refused send's MAIL FROM is in, which the server holds half a second before refusing.
                while (server.commandsReceived("MAIL") == 0) {
                    Thread.sleep(5);
                }
                return send("held the connection");
            });

            Overloaded overloaded = assertThrows(Overloaded.class, () -> assertTimeoutPreemptively(Duration.ofMinutes(1),
                    () -> transport.send(() -> mail("refused, then waited", "alice@example.com"))));

            String message = overloaded.getMessage();
            assertTrue(message.startsWith("All 1 connections to the SMTP server localhost:" + server.port()
                    + " stayed busy for "), message);
            assertTrue(message.contains(", until the send's deadline; the attempt before that: "), message);
            assertTrue(message.endsWith("; the attempt before that: The SMTP server localhost:" + server.port()
                    + " did not accept the mail: 451 4.3.0 Try again later"), message);
            Outcome held = holder.get(1, TimeUnit.MINUTES);
            assertEquals(Optional.of(DeliveryFailed.Ending.TEMPORARY), held.ending());
            assertEachMailDeliveredOnceOrNotAtAll(List.of(held));
            assertTrue(server.deliveries().isEmpty(), "the server took " + server.deliveries());
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void a421AtOneGreetingLowersThePoolAndTheMaximumClimbsBack() throws Exception {
        serve(SmtpScenario.behaving().greets(connection -> connection == 4,
                new Greeting.Reply("421 4.7.0 Too many concurrent SMTP connections")));

        List<Outcome> outcomes = eightAtOnce(Duration.ZERO);

        assertEveryMailDelivered(outcomes);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (factory.meters().allowed() < CLIENTS) {
            assertTrue(System.nanoTime() < deadline, "the maximum stayed at " + factory.meters().allowed());
            assertEveryMailDelivered(eightAtOnce(Duration.ZERO));
        }
    }

    // The same over STARTTLS with a login, as a provider speaks.

    @Test
    void overStartTlsWithALoginClosedAndRefusedConnectionsLoseNoMail() throws Exception {
        logsIn = true;
        serve(SmtpScenario.behaving().startTls(serverTls).login(USER, PASSWORD)
                .closesIdleConnectionsAfter(SERVER_IDLE_LIMIT, Farewell.SAY_421)
                .answersMailFrom(moment -> moment.mailOnConnection() == 4, "421 4.7.0 Too many messages on this connection"));

        assertEveryMailDelivered(oneAtATime(6, GAP));
        assertEveryMailDelivered(eightAtOnce(GAP));
        assertFalse(server.deliveries().isEmpty());
    }
}
