package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.eclipse.angus.mail.util.SocketFetcher;

/**
 * {@link SmtpProbe} on Angus Mail, with the session settings of the {@link JakartaMailTransportFactory}
 * (timeouts, TLS mode, {@code requireTls}, host-name check), so that what passes here passes a send.
 *
 * <p>Angus Mail runs greeting, EHLO, STARTTLS and AUTH in one call and tells neither how long each
 * took nor which failed; so the probe resolves and connects the socket itself (the JDK), wraps it
 * in TLS with Angus's {@link SocketFetcher} when TLS is implicit, hands it to an {@link
 * SMTPTransport} whose protected steps ({@code ehlo}, {@code startTLS}) it overrides only to note
 * the time and the phase ({@link ProbeStepTransport}), and reads the capabilities through Angus
 * ({@code supportsExtension}, {@code getExtensionParameter}). The certificate's checks are told
 * apart by a {@link RecordingTrustManager} ({@link ProbeTls}).
 *
 * <p>Each probe is a {@link ProbeRun}, its steps one after the other, which records how each went
 * in its {@link ProbeSteps}.
 *
 * <p>What a server said, and its certificate, are shown only once it proved to speak SMTP (a 250 to
 * EHLO or HELO): before that, a detail says what kind of answer came, never its text. A reply is
 * shown without the password or the access token, even when a server echoes it.
 *
 * <p>The whole run's deadline only closes the TCP socket, which ends any read or write on it at
 * once; the transport itself is touched by the probing thread alone, since Angus holds the
 * transport's lock through a whole connect or send.
 */
public final class AngusSmtpProbe implements SmtpProbe {

    /** The mechanisms Angus Mail logs in with by default, with a password. */
    static final List<String> MECHANISMS = List.of("LOGIN", "PLAIN", "DIGEST-MD5", "NTLM");
    /** The one mechanism a login with an OAuth 2.0 access token uses. */
    static final List<String> TOKEN_MECHANISMS = List.of("XOAUTH2");

    /** Ends each run that outlives its limit by closing its socket: one thread for every probe, asleep in between. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("smtp-probe-deadline").daemon(true).factory());

    private final JakartaMailTransportFactory transports;
    private final Supplier<TrustManagerFactory> trustManagers;
    /** Got from {@link #trustManagers} on the first probe: reading the JDK's authorities takes a while at start. */
    private volatile X509ExtendedTrustManager trust;

    /**
     * @param transports    whose session settings and timeout (the limit of each step) the probe uses
     * @param trustManagers the authorities the transport trusts, asked for on the first probe
     */
    public AngusSmtpProbe(JakartaMailTransportFactory transports, Supplier<TrustManagerFactory> trustManagers) {
        this.transports = transports;
        this.trustManagers = trustManagers;
    }

    private X509ExtendedTrustManager trust() {
        X509ExtendedTrustManager known = trust;
        if (known == null) {
            // Two first probes at once may both look it up; either answer is the same.
            known = Arrays.stream(trustManagers.get().getTrustManagers())
                    .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("no X.509 trust manager"));
            trust = known;
        }
        return known;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The secret is got from {@code credentials} before anything is opened.
     *
     * @throws dev.mailservice.application.failure.DeliveryFailed when {@code credentials} have no access
     *         token to give (the core's token step comes first, and says why)
     */
    @Override
    public Probe probe(SmtpConfiguration configuration, SmtpCredentials credentials, Optional<MailMessage> testMail,
            Duration limit) {
        ProbeRun run = new ProbeRun(configuration, credentials, limit, transports, trust());
        ScheduledFuture<?> deadline = DEADLINES.schedule(run::deadlinePassed, limit.toNanos(), TimeUnit.NANOSECONDS);
        try {
            run.runSteps(testMail);
        } finally {
            // Closing waits for the server's answer to QUIT: the deadline still bounds it.
            run.close();
            deadline.cancel(false);
        }
        return run.outcome();
    }
}
