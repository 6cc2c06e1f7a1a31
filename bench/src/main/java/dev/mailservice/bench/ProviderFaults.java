package dev.mailservice.bench;

import dev.mailservice.testkit.FaultSmtpServer;
import dev.mailservice.testkit.FaultSmtpServer.Delivery;
import dev.mailservice.testkit.FreePorts;
import dev.mailservice.testkit.SmtpScenario;
import dev.mailservice.testkit.SmtpScenario.Farewell;
import dev.mailservice.testkit.SmtpScenario.Moment;
import dev.mailservice.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Sends at a provider's distance to a server that does what providers and relays routinely do: it closes a
 * connection idle for 2 s (saying 421), refuses the 4th mail of a connection with 421, and answers 451 to one
 * RCPT TO in twenty ({@link FaultSmtpServer}, over STARTTLS with a login, behind the latency proxy). The service
 * at its defaults and PipesHub's send path (a new nodemailer transport per mail) each send from 16 clients, every
 * mail with a subject of its own; the server's copies of each are counted: how many of the mails asked for were
 * delivered, and how many more than once. The service's latency there is set against its latency to the same
 * server behaving, so that the faults alone make the difference.
 */
final class ProviderFaults {

    private static final String SENDER = "bench@bench.example";
    private static final String USER = "bench";
    private static final String PASSWORD = "bEnCh-faults-Pa55";
    private static final int CLIENTS = 16;

    /** One process sending, and how its figures and its mails' subjects are named. */
    private record Contender(String prefix, String subject, BenchedService process) {}

    private final BenchmarkSettings settings;
    private final String mail;

    /** @param mail the send route's JSON body, without a subject: each send gets one of its own */
    ProviderFaults(BenchmarkSettings settings, String mail) {
        this.settings = settings;
        this.mail = mail;
    }

    /** The server's misbehaviour, as in the table above; on top of {@code behaving}. */
    private static SmtpScenario faulty(SmtpScenario behaving) {
        return behaving.closesIdleConnectionsAfter(Duration.ofSeconds(2), Farewell.SAY_421)
                .answersMailFrom(moment -> moment.mailOnConnection() == 4,
                        "421 4.7.0 " + FaultSmtpServer.HOST_NAME + " Too many messages on this connection")
                .answersRecipient(SmtpScenario.some(5, Moment::recipient), "451 4.3.0 Temporary lookup failure");
    }

    void measure(Map<String, Double> figures) throws Exception {
        Path certificates = Files.createDirectories(settings.workDirectory().resolve("faults-certificates"));
        TestCertificates.create(certificates);
        SSLContext tls = TestCertificates.serving(certificates, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
        Path caFile = certificates.resolve(TestCertificates.CA_FILE);

        // The service alone against the server behaving: the latency the faults are set against.
        measure(SmtpScenario.behaving().startTls(tls).login(USER, PASSWORD), caFile, false, "_faultless", figures);
        measure(faulty(SmtpScenario.behaving().startTls(tls).login(USER, PASSWORD)), caFile, true, "_faults", figures);
        figures.put("send_faults_p99_vs_faultless",
                figures.get("send_p99_ms_c16_faults") / figures.get("send_p99_ms_c16_faultless"));
    }

    private void measure(SmtpScenario scenario, Path caFile, boolean withPipesHub, String suffix,
            Map<String, Double> figures) throws Exception {
        try (FaultSmtpServer smtp = FaultSmtpServer.start(scenario);
                LatencyProxy.OwnProcess network = LatencyProxy.OwnProcess.start("127.0.0.1", smtp.port(),
                        settings.roundTrip())) {
            Path configuration = settings.workDirectory().resolve("faults" + suffix + ".json");
            Files.writeString(configuration, "{\"host\": \"127.0.0.1\", \"port\": " + network.port()
                    + ", \"username\": \"" + USER + "\", \"password\": \"" + PASSWORD + "\", \"fromEmail\": \""
                    + SENDER + "\"}");
            Map<String, String> service = Map.of("SMTP_CONFIG_FILE", configuration.toString(),
                    "SMTP_CONFIG_WATCH", "false", "TLS_CA_FILE", caFile.toString());
            Map<String, String> node = Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(network.port()),
                    "SMTP_USERNAME", USER, "SMTP_PASSWORD", PASSWORD, "SMTP_FROM", SENDER,
                    "SMTP_CA_FILE", caFile.toString());
            List<BenchedService> started = BenchedService.startTogether(withPipesHub
                    ? List.of(() -> BenchedService.start(settings, FreePorts.pick(), service, null),
                            () -> BenchedService.startPipesHubPeer(settings, FreePorts.pick(), node))
                    : List.of(() -> BenchedService.start(settings, FreePorts.pick(), service, null)));
            try {
                List<Contender> contenders = withPipesHub
                        ? List.of(new Contender("", "Service mail ", started.get(0)),
                                new Contender("pipeshub_", "PipesHub mail ", started.get(1)))
                        : List.of(new Contender("", "Service mail ", started.get(0)));
                for (Contender contender : contenders) {
                    MarkedSends sends = new MarkedSends(mail, marker -> contender.subject() + marker);
                    Measurements.concurrent(CLIENTS, settings.warmUpSeconds(), sends.to(contender.process()));
                    Measurements.Result phase = Measurements.concurrent(CLIENTS, settings.leadInSeconds(),
                            settings.faultPhaseSeconds(), sends.to(contender.process()));
                    String key = contender.prefix() + "send_%s_c" + CLIENTS + suffix;
                    figures.put(key.formatted("rps"), phase.perSecond());
                    figures.put(key.formatted("p99_ms"), phase.percentileMillis(99));
                    if (withPipesHub) {
                        count(smtp, contender, sends, figures);
                    }
                }
            } finally {
                Closing.all(started);
            }
        }
    }

    /**
     * What became of every mail the contender asked for, warm-up included: the share the server took, those it took
     * more than once, and those answered 200 that it did not take. The server notes a mail before it answers for it,
     * so every copy there is to count is counted once the sends have returned.
     */
    private static void count(FaultSmtpServer smtp, Contender contender, MarkedSends sends, Map<String, Double> figures) {
        Map<Long, Integer> copies = smtp.deliveries().stream().map(Delivery::subject)
                .filter(subject -> subject.startsWith(contender.subject()))
                .collect(Collectors.toMap(subject -> Long.parseLong(subject.substring(contender.subject().length())),
                        subject -> 1, Integer::sum));
        String prefix = contender.prefix() + "send_faults_";
        figures.put(prefix + "delivered_ratio", copies.size() / (double) sends.made());
        figures.put(prefix + "duplicated", (double) copies.values().stream().filter(times -> times > 1).count());
        figures.put(prefix + "lost", (double) sends.missingFrom(copies));
        figures.put(prefix + "sent", (double) sends.made());
    }
}
