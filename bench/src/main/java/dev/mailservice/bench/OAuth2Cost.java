package dev.mailservice.bench;

import dev.mailservice.testkit.FreePorts;
import dev.mailservice.testkit.TestCertificates;
import dev.mailservice.testkit.TestOAuth2Server;
import dev.mailservice.testkit.XOAuth2SmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What logging in with OAuth 2.0 costs a send, against a password, at a provider's distance: one SMTP
 * server over implicit TLS that takes either login (GreenMail: Postfix speaks no XOAUTH2), behind the
 * proxy that adds a network's round trip, a real OAuth 2.0 server over TLS, and two services, one
 * logging in with the password and one with a Microsoft-style client-credentials token, measured in
 * alternating rounds. A cached token costs a send nothing, so the rates should match; the token
 * requests made during the rounds are counted too (none: the token, had at start, lasts an hour).
 */
final class OAuth2Cost {

    private static final String MAILBOX = "bench@bench.example";
    private static final String PASSWORD = "bench-smtp-pa55word";

    private final BenchmarkSettings settings;
    private final String mail;

    /** @param mail the send route's JSON body */
    OAuth2Cost(BenchmarkSettings settings, String mail) {
        this.settings = settings;
        this.mail = mail;
    }

    void measure(Map<String, Double> figures, Map<String, double[]> spread) throws Exception {
        Path certificates = Files.createDirectories(settings.workDirectory().resolve("oauth2-certificates"));
        TestCertificates.create(certificates);
        List<BenchedService> services = new ArrayList<>();
        try (TestOAuth2Server oauth2 = TestOAuth2Server.withCertificates(certificates);
                XOAuth2SmtpServer smtp = startSmtp(certificates, oauth2);
                LatencyProxy.OwnProcess network = LatencyProxy.OwnProcess.start("127.0.0.1", smtp.port(),
                        settings.roundTrip());
                AutoCloseable stopServices = () -> Closing.all(services)) {
            Map<String, String> common = Map.of("SMTP_CONFIG_WATCH", "false",
                    "TLS_CA_FILE", certificates.resolve(TestCertificates.CA_FILE).toString(),
                    "OAUTH2_MICROSOFT_AUTHORITY", oauth2.authority().toString());
            String server = "\"host\": \"localhost\", \"port\": " + network.port() + ", \"secure\": true, \"username\": \""
                    + MAILBOX + "\", \"fromEmail\": \"" + MAILBOX + "\"";
            BenchedService password = start(common, "password.json", "{" + server + ", \"password\": \"" + PASSWORD
                    + "\"}");
            services.add(password);
            BenchedService token = start(common, "oauth2.json", "{" + server + ", \"oauth2\": {\"kind\": \"microsoft\", "
                    + "\"tenantId\": \"bench-tenant\", \"clientId\": \"bench-app\", \"clientSecret\": \"bench-secret\"}}");
            services.add(token);

            for (BenchedService service : services) {
                Measurements.concurrent(16, settings.warmUpSeconds(), service.sending(mail));
            }
            int tokenRequestsBefore = oauth2.tokenRequests();
            Rounds rounds = new Rounds();
            for (int round = 0; round < settings.sendRounds(); round++) {
                List<Map.Entry<String, BenchedService>> order = List.of(Map.entry("password", password),
                        Map.entry("oauth2", token));
                for (Map.Entry<String, BenchedService> contender : round % 2 == 0 ? order : order.reversed()) {
                    Measurements.Result phase = Measurements.concurrent(16, settings.leadInSeconds(),
                            settings.roundPhaseSeconds(), contender.getValue().sending(mail));
                    rounds.add("send_" + contender.getKey() + "_rps_c16_tls", phase.perSecond());
                    rounds.add("send_" + contender.getKey() + "_errors_c16_tls", phase.errors());
                }
            }
            rounds.publish(figures, spread);
            figures.put("oauth2_token_requests", (double) (oauth2.tokenRequests() - tokenRequestsBefore));
            figures.put("send_oauth2_vs_password_c16_tls",
                    figures.get("send_oauth2_rps_c16_tls") / figures.get("send_password_rps_c16_tls"));
        }
    }

    private static XOAuth2SmtpServer startSmtp(Path certificates, TestOAuth2Server oauth2) throws Exception {
        oauth2.start();
        var tls = TestCertificates.serving(certificates, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
        return XOAuth2SmtpServer.start(MAILBOX, oauth2.acceptsAccessToken(),
                options -> options.implicitTls(tls).offering("PLAIN", "XOAUTH2").acceptingPassword(PASSWORD));
    }

    private BenchedService start(Map<String, String> common, String file, String configuration) throws Exception {
        Path path = settings.workDirectory().resolve(file);
        Files.writeString(path, configuration);
        Map<String, String> variables = new java.util.HashMap<>(common);
        variables.put("SMTP_CONFIG_FILE", path.toString());
        return BenchedService.start(settings, FreePorts.pick(), variables, null);
    }
}
