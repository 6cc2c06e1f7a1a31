package dev.mailservice.application.service;

import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.application.port.out.SmtpProbe.Capabilities;
import dev.mailservice.application.port.out.SmtpProbe.Problem;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What to try, in plain words, for what a probe saw: the usual mistakes with SMTP settings (a
 * port and TLS mode that do not match, a certificate the service does not trust, a login the
 * server does not offer or refuses) each have a sentence here, naming the setting to change.
 */
final class SmtpAdvice {

    private static final Set<Problem> TLS_PROBLEMS = EnumSet.of(Problem.PLAIN_TEXT_WHERE_TLS_EXPECTED,
            Problem.TLS_FAILED, Problem.CERTIFICATE_UNTRUSTED, Problem.CERTIFICATE_EXPIRED, Problem.HOST_NAME_MISMATCH);

    private SmtpAdvice() {}

    static List<String> of(SmtpConfiguration configuration, SmtpProbe.Probe probe) {
        List<String> advice = new ArrayList<>();
        Optional<SmtpStep> failedStep = SmtpStep.firstFailed(probe.steps()).map(SmtpStep.Result::step);
        probe.problem().ifPresent(problem -> advice.add(forProblem(problem, failedStep, configuration, probe)));
        Optional<Capabilities> offered = probe.firstEhlo();
        boolean logsIn = configuration.username().isPresent();
        if (logsIn && probe.problem().filter(TLS_PROBLEMS::contains).isPresent() && offered.isPresent()
                && offered.get().startTls() && offered.get().authMechanisms().isEmpty()) {
            advice.add("The server offers login (AUTH) only after STARTTLS: the login cannot happen until the TLS "
                    + "step passes.");
        }
        if (failedStep.isEmpty() && logsIn && !configuration.implicitTls() && offered.isPresent() && !offered.get().startTls()) {
            advice.add("The server offers no STARTTLS: the password and every mail cross the network in plain text. "
                    + "Use the server's TLS port if it has one, or set SMTP_REQUIRE_TLS=true to refuse such servers.");
        }
        return advice;
    }

    private static String forProblem(Problem problem, Optional<SmtpStep> step, SmtpConfiguration configuration,
            SmtpProbe.Probe probe) {
        int port = configuration.port();
        return switch (problem) {
            case UNKNOWN_HOST -> "The host name does not resolve: check it for typos, and that this replica's DNS "
                    + "can resolve it.";
            case CONNECTION_REFUSED -> "Nothing accepts connections on port " + port + " of this host: check the port "
                    + "(587 for STARTTLS, 465 for implicit TLS, 25 between servers) and that the server runs.";
            case UNREACHABLE -> "The host could not be reached in time: a firewall may drop the connection (many "
                    + "cloud providers block port 25), or the address is wrong.";
            case TIMED_OUT -> step.filter(SmtpStep.GREETING::equals).isPresent() && !configuration.implicitTls()
                    ? "The server accepted the connection but sent no SMTP greeting: it may expect TLS from the first "
                            + "byte (implicit TLS, usually port 465); if so, set secure to true. Otherwise this port "
                            + "may not be SMTP's."
                    : "The server stopped answering for longer than SMTP_TIMEOUT_MS: it may be overloaded, or "
                            + "something on the path holds the connection.";
            case NOT_SMTP -> "What answers on port " + port + " is not an SMTP server: check the host and the port.";
            case REPLY_TOO_LONG -> "What answers on port " + port + " sent a reply longer than any SMTP server needs, "
                    + "and was dropped: it is broken or not an SMTP server; check the host and the port.";
            case PLAIN_TEXT_WHERE_TLS_EXPECTED -> "The server spoke plain SMTP where TLS was expected from the first "
                    + "byte: this port upgrades with STARTTLS or not at all, so set secure to false"
                    + (port == SmtpConfiguration.IMPLICIT_TLS_PORT ? " and use the server's STARTTLS port (usually 587)"
                            : "") + ".";
            case TLS_FAILED -> "The TLS handshake failed: the server and this service may share no TLS version or "
                    + "cipher, or the connection was cut.";
            case CERTIFICATE_UNTRUSTED -> "The server's certificate is not signed by an authority this service trusts. "
                    + "If the server uses a private certificate authority, put that authority's certificate (PEM) in "
                    + "the file TLS_CA_FILE names and restart the service.";
            case CERTIFICATE_EXPIRED -> "The server's certificate has expired or is not valid yet: renew it on the "
                    + "server (a clock far off on either side does the same).";
            case HOST_NAME_MISMATCH -> "The server's certificate is not for " + configuration.host() + ": set host to "
                    + "a name the certificate lists (with STARTTLS the tls step shows them), not an IP address or an "
                    + "alias.";
            case STARTTLS_NOT_OFFERED -> "The server does not offer STARTTLS and SMTP_REQUIRE_TLS refuses plain text: "
                    + "use the server's TLS port (465 with implicit TLS, or 587 with STARTTLS), or turn "
                    + "SMTP_REQUIRE_TLS off for a relay on a trusted network.";
            case PASSWORD_MISSING -> "A username is set but no password: give the password, or remove the username "
                    + "if the server takes mail from this network without a login.";
            case AUTH_NOT_OFFERED -> "The server offers no login (SMTP AUTH) on this port: if it is a relay that "
                    + "accepts mail from this network, remove the username; otherwise use its submission port "
                    + "(usually 587).";
            case MECHANISM_MISSING -> "The server offers no login mechanism this service speaks ("
                    + String.join(", ", probe.supportedMechanisms()) + "; the auth step names those offered): enable PLAIN or "
                    + "LOGIN on the server.";
            case AUTH_REJECTED -> "The server refused the username or password: check both; providers with two-step "
                    + "sign-in need an app password, or SMTP AUTH enabled for the mailbox.";
            case TEST_MAIL_NOT_COMPOSED -> "The test mail could not be composed from fromEmail and the test recipient: "
                    + "check both addresses.";
            case SEND_REFUSED -> "The server refused the test mail: check that fromEmail is an address this account "
                    + "may send as, and the test recipient.";
            case DEADLINE_PASSED -> "The verification took longer than its limit: the server answers very slowly, or "
                    + "something on the path holds the connection.";
        };
    }
}
