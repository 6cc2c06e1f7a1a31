package dev.mailservice.application.service;

import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.OAuth2Login;
import java.util.regex.Pattern;
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
        if (probe.problem().filter(Problem.AUTH_REJECTED::equals).isPresent() && configuration.oauth2().isEmpty()
                && failedStep.isPresent() && BASIC_AUTH_TURNED_OFF.matcher(failedStepDetail(probe)).find()) {
            advice.add("The server no longer takes a password login for this mailbox (Microsoft 365 turns basic "
                    + "authentication for SMTP off): log in with OAuth 2.0 instead, an oauth2 object in the "
                    + "configuration (docs/operations.md, OAuth 2.0).");
        }
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

    private static final Set<Problem> OAUTH2_LOGIN_PROBLEMS = EnumSet.of(Problem.AUTH_NOT_OFFERED,
            Problem.MECHANISM_MISSING, Problem.AUTH_REJECTED);

    /** A reply that says the server takes no password login any more (Exchange Online's). */
    private static final Pattern BASIC_AUTH_TURNED_OFF = Pattern.compile("5\\.7\\.(30|139)\\b");

    private static String failedStepDetail(SmtpProbe.Probe probe) {
        return SmtpStep.firstFailed(probe.steps()).map(SmtpStep.Result::detail).orElse("");
    }

    /** What to try when the token endpoint gave no token ({@code answer} is not {@link TokenEndpoint.Issued}). */
    static String forToken(OAuth2Login login, TokenEndpoint.Answer answer) {
        if (answer instanceof TokenEndpoint.Unavailable) {
            return "The token endpoint could not be asked: check its URL, that this replica may open HTTPS "
                    + "connections to it, and, for a private certificate authority, TLS_CA_FILE.";
        }
        TokenEndpoint.Refused refused = (TokenEndpoint.Refused) answer;
        String said = refused.error() + " " + refused.description().orElse("");
        if (said.contains("AADSTS7000215") || said.contains("AADSTS7000222")) {
            return "Microsoft Entra ID refused the client secret: it is wrong or expired. Make a new one under the app "
                    + "registration's Certificates & secrets and store its Value (not its Secret ID) as "
                    + "oauth2.clientSecret.";
        }
        if (said.contains("AADSTS700016")) {
            return "Microsoft Entra ID knows no application with this oauth2.clientId in the tenant oauth2.tenantId: "
                    + "copy the Application (client) ID and the Directory (tenant) ID from the app registration's "
                    + "Overview.";
        }
        if (said.contains("AADSTS90002") || said.contains("AADSTS900023")) {
            return "Microsoft Entra ID knows no tenant oauth2.tenantId: use the Directory (tenant) ID from the app "
                    + "registration's Overview, or the tenant's primary domain.";
        }
        return switch (login) {
            case OAuth2Login.Google google when "unauthorized_client".equals(refused.error()) ->
                    "Google refused to let the service account act for " + "the mailbox: in the Admin console, under "
                            + "Security, API controls, Domain-wide delegation, add the service account's client ID with "
                            + "the scope " + OAuth2Login.Google.SCOPE + ", and check that username is a mailbox of "
                            + "the domain.";
            case OAuth2Login.RefreshToken refreshToken when "invalid_grant".equals(refused.error()) ->
                    "The refresh token is expired or was revoked: obtain a new one by consent and store it as "
                            + "oauth2.refreshToken.";
            default -> "The token endpoint refused the request (" + refused.error() + "): check the client's id and "
                    + "secret or key in oauth2, and that the client may use the " + login.grantType() + " grant.";
        };
    }

    /** What to try when the server did not take the access token. */
    private static String forOAuth2Login(Problem problem, OAuth2Login login) {
        if (problem != Problem.AUTH_REJECTED) {
            return "The server offers no XOAUTH2 login on this port: OAuth 2.0 needs the provider's submission server "
                    + "(smtp.office365.com or smtp.gmail.com, port 587).";
        }
        return switch (login) {
            case OAuth2Login.Microsoft microsoft -> "Exchange Online refused the token. The app needs the Office 365 "
                    + "Exchange Online application permission SMTP.SendAsApp with admin consent; its service principal "
                    + "registered in Exchange Online (New-ServicePrincipal) and given the mailbox (Add-MailboxPermission "
                    + "with FullAccess); and SMTP AUTH enabled for the mailbox (Set-CASMailbox "
                    + "-SmtpClientAuthenticationDisabled $false). username must be that mailbox.";
            case OAuth2Login.Google google -> "Gmail refused the token: check that the service account's domain-wide "
                    + "delegation has the scope " + OAuth2Login.Google.SCOPE + " and that username is the mailbox "
                    + "it acts for.";
            case OAuth2Login.RefreshToken refreshToken -> "The server refused the token: check that the refresh token "
                    + "was given for username's mailbox, and with the scope the server needs for SMTP.";
        };
    }

    private static String forProblem(Problem problem, Optional<SmtpStep> step, SmtpConfiguration configuration,
            SmtpProbe.Probe probe) {
        if (configuration.oauth2().isPresent() && OAUTH2_LOGIN_PROBLEMS.contains(problem)) {
            return forOAuth2Login(problem, configuration.oauth2().get());
        }
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
