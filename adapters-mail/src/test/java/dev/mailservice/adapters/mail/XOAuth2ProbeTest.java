package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.SmtpProbe.Probe;
import dev.mailservice.application.port.out.SmtpProbe.Problem;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.testkit.XOAuth2SmtpServer;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The verification's AUTH step with an OAuth 2.0 access token, against {@link XOAuth2SmtpServer}. */
class XOAuth2ProbeTest {

    private static final String TOKEN = "token-for-the-probe";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static TrustManagerFactory jdkAuthorities;

    private XOAuth2SmtpServer server;

    @BeforeAll
    static void trust() throws Exception {
        jdkAuthorities = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdkAuthorities.init((KeyStore) null);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Probe probe(Optional<MailMessage> testMail) {
        JakartaMailTransportFactory transports = TestTransports.factory(TIMEOUT, 1, Duration.ofMinutes(1), false,
                Optional.empty());
        return new AngusSmtpProbe(transports, () -> jdkAuthorities).probe(
                XOAuth2SendTest.oauth2At(server.port(), "noreply@example.com", false),
                SmtpCredentials.accessToken(Password.of(TOKEN)), testMail, Duration.ofSeconds(20));
    }

    private static List<String> steps(Probe probe) {
        return probe.steps().stream().map(step -> step.step().key() + (step.ok() ? "" : " failed")).toList();
    }

    private static String authDetail(Probe probe) {
        return probe.steps().stream().filter(result -> result.step() == SmtpStep.AUTH).findFirst().orElseThrow()
                .detail();
    }

    @Test
    void aTokenTheServerAcceptsPassesAuthWithXOAuth2AndTheTestMailGoesOut() throws Exception {
        server = XOAuth2SmtpServer.start(XOAuth2SendTest.MAILBOX, TOKEN::equals);
        MailMessage testMail = new MailMessage(List.of(new EmailAddress("ops@example.com")), List.of(), "SMTP test",
                "<p>test</p>", "test", List.of());

        Probe probe = probe(Optional.of(testMail));

        assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth", "send"), steps(probe),
                probe.toString());
        assertEquals(Optional.empty(), probe.problem());
        assertEquals("logged in as " + XOAuth2SendTest.MAILBOX + " with an access token (XOAUTH2) (offered: PLAIN "
                + "LOGIN XOAUTH2)", authDetail(probe));
        assertEquals(List.of("XOAUTH2"), server.mechanismsTried());
        assertEquals(List.of("XOAUTH2"), probe.supportedMechanisms());
        assertEquals("SMTP test", server.messages().getFirst().getSubject());
    }

    @Test
    void aServerThatDoesNotOfferXOAuth2LacksTheMechanism() {
        server = XOAuth2SmtpServer.start(XOAuth2SendTest.MAILBOX, TOKEN::equals,
                options -> options.offering("PLAIN", "LOGIN"));

        Probe probe = probe(Optional.empty());

        assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(probe),
                probe.toString());
        assertEquals(Optional.of(Problem.MECHANISM_MISSING), probe.problem());
        assertEquals("the server offers AUTH PLAIN LOGIN, none of XOAUTH2", authDetail(probe));
        assertEquals(List.of("XOAUTH2"), probe.supportedMechanisms());
        assertEquals(List.of(), server.mechanismsTried(), "the token was sent with another mechanism");
    }

    @Test
    void aRefusedTokenIsRejectedWithTheServersReplyWithoutTheToken() {
        server = XOAuth2SmtpServer.start(XOAuth2SendTest.MAILBOX, token -> false,
                options -> options.echoingRefusals());

        Probe probe = probe(Optional.empty());

        assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(probe),
                probe.toString());
        assertEquals(Optional.of(Problem.AUTH_REJECTED), probe.problem());
        String detail = authDetail(probe);
        assertTrue(detail.startsWith("the server refused the access token for " + XOAuth2SendTest.MAILBOX
                + ": 535 5.7.8 The access token [access token] of " + XOAuth2SendTest.MAILBOX), detail);
        assertFalse(probe.toString().contains(TOKEN), probe.toString());
        assertEquals(1, server.loginsRefused());
    }
}
