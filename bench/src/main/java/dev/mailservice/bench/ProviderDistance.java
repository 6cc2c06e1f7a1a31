package dev.mailservice.bench;

import dev.mailservice.testkit.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Sends at a provider's distance: a Postfix submission server offering STARTTLS and AUTH, behind a
 * proxy that adds a network's round trip. There a new connection costs what it costs on a real
 * network (TCP, STARTTLS, AUTH: about 11 round trips) and a reused one 4 (MAIL, RCPT, DATA, end of
 * data), so this is where the service's pool is measured against PipesHub's own send path (a new
 * nodemailer transport per mail) and the same path with nodemailer's pool, by one load generator,
 * in rounds that alternate between them.
 *
 * <p>Every send carries a subject of its own, which the server notes in its log with the message it took, so that
 * each mail answered 200 is checked for, by its subject: neither lost, nor delivered twice.
 */
final class ProviderDistance {

    /**
     * One process measured, and how its figures are named: {@code prefix + "send_rps_c16_tls" + suffix}.
     *
     * @param report whether its resident memory is part of the series
     */
    private record Contender(String prefix, String suffix, BenchedService process, boolean report) {

        String key(String figure, int clients) {
            return prefix + figure + "_c" + clients + "_tls" + suffix;
        }
    }

    /** A contender about to be started. */
    private record Planned(String prefix, String suffix, Callable<BenchedService> start) {}

    private static final String SENDER = "bench@bench.example";

    private final BenchmarkSettings settings;
    private final MarkedSends sends;

    /** @param mail the send route's JSON body, without a subject: each send gets one of its own */
    ProviderDistance(BenchmarkSettings settings, String mail) {
        this.settings = settings;
        this.sends = new MarkedSends(mail, SubmissionServer::markedSubject);
    }

    void measure(Map<String, Double> figures, Map<String, double[]> spread) throws Exception {
        List<Contender> contenders = new ArrayList<>();
        try (SubmissionServer smtp = SubmissionServer.start(settings.workDirectory(), FreePorts.pick());
                LatencyProxy.OwnProcess network = LatencyProxy.OwnProcess.start("127.0.0.1", smtp.port(), settings.roundTrip());
                // Closed first, before the network and the server: every contender, whichever fails to stop.
                AutoCloseable stopContenders = () -> Closing.all(contenders.stream().map(Contender::process).toList())) {
            Path configuration = settings.workDirectory().resolve("provider.json");
            Files.writeString(configuration, "{\"host\": \"127.0.0.1\", \"port\": " + network.port()
                    + ", \"username\": \"" + smtp.username() + "\", \"password\": \"" + smtp.password()
                    + "\", \"fromEmail\": \"" + SENDER + "\"}");
            Map<String, String> service = Map.of("SMTP_CONFIG_FILE", configuration.toString(),
                    "SMTP_CONFIG_WATCH", "false", "TLS_CA_FILE", smtp.caFile().toString());
            Map<String, String> node = Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(network.port()),
                    "SMTP_USERNAME", smtp.username(), "SMTP_PASSWORD", smtp.password(), "SMTP_FROM", SENDER,
                    "SMTP_CA_FILE", smtp.caFile().toString());
            Map<String, String> pooled = new HashMap<>(node);
            pooled.put("SMTP_POOL", "true");
            // nodemailer's pool at its best: as many connections as the service's pool may open, and a
            // connection not replaced after 100 messages.
            pooled.put("SMTP_POOL_SIZE", Integer.toString(BenchmarkSettings.SERVICE_DEFAULT_POOL_SIZE));
            pooled.put("SMTP_POOL_MAX_MESSAGES", "Infinity");
            List<Planned> planned = new ArrayList<>(List.of(
                    // The service with its default settings first: that is the one compared.
                    new Planned("", "", () -> BenchedService.start(settings, FreePorts.pick(), service, null)),
                    new Planned("pipeshub_", "", () -> BenchedService.startPipesHubPeer(settings, FreePorts.pick(), node)),
                    new Planned("pipeshub_pooled_", "",
                            () -> BenchedService.startPipesHubPeer(settings, FreePorts.pick(), pooled))));
            for (int size : settings.poolSizes()) {
                Map<String, String> sized = new HashMap<>(service);
                sized.put("SMTP_POOL_SIZE", Integer.toString(size));
                planned.add(new Planned("", "_pool" + size,
                        () -> BenchedService.start(settings, FreePorts.pick(), sized, null)));
            }
            List<BenchedService> started = BenchedService.startTogether(planned.stream().map(Planned::start).toList());
            for (int i = 0; i < started.size(); i++) {
                Planned plan = planned.get(i);
                // Memory is reported for the service at its defaults and for the peers.
                contenders.add(new Contender(plan.prefix(), plan.suffix(), started.get(i), plan.suffix().isEmpty()));
            }

            // Warm-up: the JITs, and Postfix's smtpd processes, which it starts one per connection
            // (seconds for hundreds) and then keeps: no measured phase should pay for that. A quick run,
            // whose figures mean nothing, leaves the smtpd processes out: PipesHub's path takes seconds to
            // drain hundreds of sends.
            if (!settings.quick()) {
                int most = settings.concurrencies().getLast();
                Measurements.concurrent(most, settings.roundPhaseSeconds(), sends.to(contenders.get(1).process()));
            }
            for (Contender contender : contenders) {
                Measurements.concurrent(16, settings.warmUpSeconds(), sends.to(contender.process()));
            }
            checkDefaultPool(contenders.getFirst().process());
            Rounds rounds = new Rounds();
            for (int round = 0; round < settings.sendRounds(); round++) {
                // Every other round takes the contenders in reverse order, so that each follows one contender in
                // some rounds and another in the rest: what a phase leaves behind (Postfix still delivering its
                // last mails) does not always fall on the same one.
                List<Contender> order = round % 2 == 0 ? contenders : contenders.reversed();
                for (int clients : settings.concurrencies()) {
                    for (Contender contender : order) {
                        Measurements.Client send = sends.to(contender.process());
                        // An unmeasured lead-in at the same concurrency, on the same connections: each phase
                        // measures the steady state, not the connections a pool opens again after the minute the
                        // other contenders took, nor the load's own connections being opened.
                        Measurements.Result phase = Measurements.concurrent(clients, settings.leadInSeconds(),
                                settings.roundPhaseSeconds(), send);
                        rounds.add(contender.key("send_rps", clients), phase.perSecond());
                        rounds.add(contender.key("send_p50_ms", clients), phase.percentileMillis(50));
                        rounds.add(contender.key("send_p99_ms", clients), phase.percentileMillis(99));
                        rounds.add(contender.key("send_errors", clients), phase.errors());
                        if (contender.report()) {
                            rounds.add(contender.key("rss_mb", clients), contender.process().residentMegabytes());
                        }
                    }
                }
            }
            rounds.publish(figures, spread);
            Map<Long, Integer> delivered = awaitDelivered(smtp, sends);
            figures.put("send_tls_missing", (double) sends.missingFrom(delivered));
            figures.put("send_tls_duplicated", (double) delivered.values().stream().filter(times -> times > 1).count());
        }
        // Round trips are counted against the round trip the proxy really adds: its timers overshoot a little.
        double roundTripMillis = measuredRoundTripMillis();
        figures.put("rtt_ms", settings.roundTrip().toNanos() / 1e6);
        figures.put("rtt_measured_ms", roundTripMillis);
        figures.put("send_round_trips_c1_tls", figures.get("send_p50_ms_c1_tls") / roundTripMillis);
        figures.put("pipeshub_send_round_trips_c1_tls", figures.get("pipeshub_send_p50_ms_c1_tls") / roundTripMillis);
        figures.put("send_vs_pipeshub_c16_tls", figures.get("send_rps_c16_tls") / figures.get("pipeshub_send_rps_c16_tls"));
        figures.put("send_vs_pipeshub_pooled_c16_tls",
                figures.get("send_rps_c16_tls") / figures.get("pipeshub_pooled_send_rps_c16_tls"));
    }

    /**
     * Fails unless the service at its defaults, sent to by the most clients for a second, holds
     * {@link BenchmarkSettings#SERVICE_DEFAULT_POOL_SIZE} connections: the tables name that size and nodemailer's
     * pool is given as many, so they must not drift from the service's own default.
     */
    private void checkDefaultPool(BenchedService service) throws Exception {
        int size = BenchmarkSettings.SERVICE_DEFAULT_POOL_SIZE;
        Measurements.concurrent(Math.max(settings.concurrencies().getLast(), 2 * size), 1, sends.to(service));
        int held = service.smtpConnections();
        if (held != size) {
            throw new IllegalStateException("the service held " + held + " SMTP connections under load where the"
                    + " benchmark takes its default pool to be " + size + ": either the default changed (correct"
                    + " BenchmarkSettings.SERVICE_DEFAULT_POOL_SIZE) or the SMTP server refused connections or"
                    + " sends (see the service's log)");
        }
    }

    /**
     * The server's deliveries by marker once every send answered 200 is among them (or after 10 s: it logs what it
     * took a moment later), and a second later, so that a late second copy of one is counted too.
     */
    private static Map<Long, Integer> awaitDelivered(SubmissionServer smtp, MarkedSends sends) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Map<Long, Integer> delivered = smtp.markedDeliveries();
        while (sends.missingFrom(delivered) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            delivered = smtp.markedDeliveries();
        }
        // A second copy of a mail would be logged after the first: give it the time the first took.
        Thread.sleep(1_000);
        return smtp.markedDeliveries();
    }

    /** The round trip through the proxy as a client meets it: one-byte echoes, p50. */
    private double measuredRoundTripMillis() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket connection = echo.accept()) {
                    connection.setTcpNoDelay(true);
                    connection.getInputStream().transferTo(connection.getOutputStream());
                } catch (IOException closed) {
                    // the measurement is over
                }
            });
            try (LatencyProxy.OwnProcess proxy = LatencyProxy.OwnProcess.start("127.0.0.1", echo.getLocalPort(), settings.roundTrip());
                    Socket client = new Socket("127.0.0.1", proxy.port())) {
                client.setTcpNoDelay(true);
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                return Measurements.sequential(100, () -> {
                    out.write(1);
                    return in.read() == 1;
                }).percentileMillis(50);
            }
        }
    }
}
