package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
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
 * the time and the phase, and reads the capabilities through Angus ({@code supportsExtension},
 * {@code getExtensionParameter}). The certificate's checks are told apart by a
 * {@link RecordingTrustManager}.
 *
 * <p>What a server said, and its certificate, are shown only once it proved to speak SMTP (a 250 to
 * EHLO or HELO): before that, a detail says what kind of answer came, never its text. A reply is
 * shown without the password, even when a server echoes it.
 *
 * <p>The whole run's deadline only closes the TCP socket, which ends any read or write on it at
 * once; the transport itself is touched by the probing thread alone, since Angus holds the
 * transport's lock through a whole connect or send.
 */
public final class AngusSmtpProbe implements SmtpProbe {

    /** The mechanisms Angus Mail logs in with by default (XOAUTH2 needs a token, not a password). */
    static final List<String> MECHANISMS = List.of("LOGIN", "PLAIN", "DIGEST-MD5", "NTLM");

    /** Ends each run that outlives its limit by closing its socket: one thread for every probe, asleep in between. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("smtp-probe-deadline").daemon(true).factory());

    private final JakartaMailTransportFactory transports;
    private final Duration timeout;
    private final X509ExtendedTrustManager trust;

    /**
     * @param transports whose session settings and timeout (the limit of each step) the probe uses
     * @param trust      the authorities the transport trusts
     */
    public AngusSmtpProbe(JakartaMailTransportFactory transports, TrustManagerFactory trust) {
        this.transports = transports;
        this.timeout = transports.timeout();
        this.trust = Arrays.stream(trust.getTrustManagers())
                .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no X.509 trust manager"));
    }

    @Override
    public Probe probe(SmtpConfiguration configuration, Optional<MailMessage> testMail, Duration limit) {
        Run run = new Run(configuration, limit);
        ScheduledFuture<?> deadline = DEADLINES.schedule(run::deadlinePassed, limit.toNanos(), TimeUnit.NANOSECONDS);
        try {
            run.steps(testMail);
        } finally {
            // Closing waits for the server's answer to QUIT: the deadline still bounds it.
            run.close();
            deadline.cancel(false);
        }
        return new Probe(run.results, Optional.ofNullable(run.problem), Optional.ofNullable(run.firstEhlo), MECHANISMS);
    }

    /** Ends the run at a step that failed; the failure is in the results already. */
    private static final class StepFailed extends Exception {

        private static final long serialVersionUID = 1L;

        StepFailed(String detail) {
            super(detail, null, false, false);
        }
    }

    /** One probe's state: its sockets, transport, the results so far. */
    private final class Run {

        final SmtpConfiguration configuration;
        final Duration limit;
        final long endsAt;
        final List<SmtpStep.Result> results = new ArrayList<>();
        final RecordingTrustManager certificates;
        Problem problem;
        Capabilities firstEhlo;
        /** Where the implicit TLS step is in the results, to add the certificate once the server spoke SMTP. */
        int implicitTlsResult = -1;
        /** The transport's {@code requireTls}, which the probe applies itself (see {@link #properties()}). */
        boolean startTlsRequired;
        /** The TCP connection: the only thing the deadline touches. */
        volatile SmtpSocket tcp;
        /** What SMTP is spoken over: the TCP connection, or TLS over it when TLS is implicit. */
        Socket smtpSocket;
        volatile boolean deadlinePassed;
        /** Whether the deadline closed the socket, so that whatever failed after failed for it. */
        volatile boolean cut;
        StepTransport transport;

        Run(SmtpConfiguration configuration, Duration limit) {
            this.configuration = configuration;
            this.limit = limit;
            this.endsAt = System.nanoTime() + limit.toNanos();
            this.certificates = new RecordingTrustManager(trust, configuration.asciiHost());
        }

        /** The deadline's task: it marks the run and closes the TCP socket, nothing else. */
        void deadlinePassed() {
            deadlinePassed = true;
            Socket open = tcp;
            if (open != null) {
                cut = true;
                SmtpSocket.closeQuietly(open);
            }
        }

        void steps(Optional<MailMessage> testMail) {
            try {
                long started = System.nanoTime();
                InetAddress address = resolve(started);
                started = passed(SmtpStep.DNS, started, configuration.asciiHost() + " is " + address.getHostAddress());
                connect(address, started);
                started = passed(SmtpStep.CONNECT, started, "connected to " + address.getHostAddress() + ":"
                        + configuration.port());
                Properties properties = properties();
                if (configuration.implicitTls()) {
                    beforeStep(SmtpStep.TLS, started);
                    tls(started, false, () -> smtpSocket = SocketFetcher.startTLS(tcp, configuration.asciiHost(),
                            properties, "mail.smtp"));
                    implicitTlsResult = results.size();
                    started = passed(SmtpStep.TLS, started, "implicit TLS");
                }
                transport = new StepTransport(Session.getInstance(properties), tcp);
                beforeStep(SmtpStep.GREETING, started);
                smtp(started);
                if (testMail.isPresent()) {
                    beforeStep(SmtpStep.SEND, System.nanoTime());
                    send(testMail.get());
                }
            } catch (StepFailed failed) {
                // recorded by fail(); the run ends at the first failed step
            }
        }

        /** Fails {@code step} before it starts when the deadline has passed. */
        private void beforeStep(SmtpStep step, long started) throws StepFailed {
            if (deadlinePassed) {
                throw fail(step, started, Problem.DEADLINE_PASSED, "");
            }
        }

        private InetAddress resolve(long started) throws StepFailed {
            long wait = Math.min(timeout.toNanos(), endsAt - System.nanoTime());
            try {
                return SmtpConnection.resolve(configuration.asciiHost(), wait);
            } catch (UnknownHostException e) {
                throw fail(SmtpStep.DNS, started, Problem.UNKNOWN_HOST, configuration.asciiHost() + " does not resolve");
            } catch (SocketTimeoutException e) {
                throw wait < timeout.toNanos() ? fail(SmtpStep.DNS, started, Problem.DEADLINE_PASSED, "")
                        : fail(SmtpStep.DNS, started, Problem.TIMED_OUT, "no DNS answer in " + timeout.toMillis() + " ms");
            }
        }

        private void connect(InetAddress address, long started) throws StepFailed {
            SmtpSocket socket;
            try {
                // As the transport's connections: each write sent at once, each reply bounded.
                socket = new SmtpSocket(timeout);
            } catch (IOException e) {
                throw fail(SmtpStep.CONNECT, started, Problem.UNREACHABLE, "no socket could be made: "
                        + e.getClass().getSimpleName());
            }
            tcp = socket;
            smtpSocket = socket;
            // The deadline may have passed before there was a socket to close.
            beforeStep(SmtpStep.CONNECT, started);
            try {
                socket.connect(new InetSocketAddress(address, configuration.port()), (int) timeout.toMillis());
            } catch (ConnectException e) {
                throw fail(SmtpStep.CONNECT, started, Problem.CONNECTION_REFUSED, "nothing accepts connections on "
                        + address.getHostAddress() + ":" + configuration.port());
            } catch (IOException e) {
                throw fail(SmtpStep.CONNECT, started, Problem.UNREACHABLE, address.getHostAddress() + ":"
                        + configuration.port() + " could not be reached: " + e.getClass().getSimpleName());
            }
        }

        /**
         * Greeting, EHLO, STARTTLS and AUTH, as Angus runs them in one call; the transport notes
         * when each ends, and in which one a failure came.
         */
        private void smtp(long started) throws StepFailed {
            try {
                transport.connect(smtpSocket);
            } catch (MessagingException e) {
                SmtpStep failedIn = transport.phase;
                passedBefore(failedIn, started);
                throw failInSmtp(failedIn, transport.phaseStarted(started), e);
            }
            passedBefore(SmtpStep.AUTH, started);
            if (configuration.username().isEmpty()) {
                return;
            }
            long beforeAuth = transport.lastEhloEnded;
            if (configuration.password().isEmpty()) {
                throw fail(SmtpStep.AUTH, beforeAuth, Problem.PASSWORD_MISSING, "a username is set but no password: "
                        + "no login was tried");
            }
            List<String> offered = transport.offered().authMechanisms();
            if (offered.isEmpty()) {
                throw fail(SmtpStep.AUTH, beforeAuth, Problem.AUTH_NOT_OFFERED, "the server offers no SMTP AUTH");
            }
            results.add(ok(SmtpStep.AUTH, beforeAuth, transport.connected, "logged in as "
                    + configuration.username().get() + " (offered: " + String.join(" ", offered) + ")"));
        }

        /** The steps inside Angus's connect that passed before {@code failedIn} (AUTH: all of them). */
        private void passedBefore(SmtpStep failedIn, long started) {
            if (failedIn == SmtpStep.GREETING) {
                return;
            }
            // The greeting is shown only once EHLO or HELO was answered: then the server speaks SMTP.
            results.add(ok(SmtpStep.GREETING, started, transport.greeted, failedIn == SmtpStep.EHLO ? "a 220 reply"
                    : "an SMTP greeting: " + transport.greeting));
            if (failedIn == SmtpStep.EHLO) {
                return;
            }
            results.add(ok(SmtpStep.EHLO, transport.greeted, transport.ehloEnded,
                    firstEhlo == null ? "HELO only: no extensions" : describe(firstEhlo)));
            showImplicitTlsCertificate();
            if (failedIn == SmtpStep.TLS || configuration.implicitTls()) {
                return;
            }
            results.add(transport.tlsStarted != 0
                    ? ok(SmtpStep.TLS, transport.tlsStarted, transport.lastEhloEnded,
                            "STARTTLS; " + certificates.certificate().orElse(""))
                    : ok(SmtpStep.TLS, transport.ehloEnded, transport.ehloEnded,
                            "not offered: the connection stays in plain text"));
        }

        /** Adds the certificate to the implicit TLS step, now that the server proved to speak SMTP. */
        private void showImplicitTlsCertificate() {
            if (implicitTlsResult < 0) {
                return;
            }
            SmtpStep.Result tls = results.get(implicitTlsResult);
            certificates.certificate().ifPresent(certificate -> results.set(implicitTlsResult,
                    new SmtpStep.Result(tls.step(), tls.ok(), tls.took(), tls.detail() + "; " + certificate)));
        }

        private void send(MailMessage message) throws StepFailed {
            long started = System.nanoTime();
            MimeMessage mime;
            try {
                mime = JakartaMailTransport.toMime(configuration, transport.session, message);
            } catch (RuntimeException e) {
                throw fail(SmtpStep.SEND, started, Problem.TEST_MAIL_NOT_COMPOSED, "the test mail could not be "
                        + "composed: " + e.getClass().getSimpleName());
            }
            try {
                transport.sendMessage(mime, mime.getAllRecipients());
            } catch (MessagingException | RuntimeException e) {
                throw fail(SmtpStep.SEND, started, Problem.SEND_REFUSED, "the server refused the test mail: " + reply());
            }
            passed(SmtpStep.SEND, started, "the server accepted the test mail: " + reply());
        }

        /** The server's last reply, without the password should the server echo it. */
        private String reply() {
            return transport.lastReply();
        }

        /** The failure of a step inside Angus's connect, by the phase it came in. */
        private StepFailed failInSmtp(SmtpStep phase, long started, MessagingException e) {
            Throwable cause = rootCause(e);
            if (cause instanceof SocketTimeoutException) {
                return fail(phase, started, Problem.TIMED_OUT, "no answer in " + timeout.toMillis() + " ms");
            }
            if (cause instanceof SmtpSocket.ReplyTooLong tooLong) {
                return fail(phase, started, Problem.REPLY_TOO_LONG, "the server was dropped: " + tooLong.getMessage());
            }
            return switch (phase) {
                case GREETING -> fail(phase, started, Problem.NOT_SMTP, "no SMTP greeting (a 220 reply) came: what "
                        + "answers is not an SMTP server, or it closed the connection");
                case EHLO -> fail(phase, started, Problem.NOT_SMTP, "the server refused EHLO and HELO: it does not "
                        + "speak SMTP");
                case TLS -> firstEhlo == null || !firstEhlo.startTls()
                        ? fail(phase, started, Problem.STARTTLS_NOT_OFFERED, "the server does not offer STARTTLS, and "
                                + "SMTP_REQUIRE_TLS demands TLS")
                        : tlsFailure(started, true, cause);
                default -> e instanceof AuthenticationFailedException && offersNoneSupported()
                        ? fail(SmtpStep.AUTH, started, Problem.MECHANISM_MISSING, offeredMechanisms() + ", none of "
                                + String.join(" ", MECHANISMS))
                        : fail(SmtpStep.AUTH, started, Problem.AUTH_REJECTED, "the server refused the login of "
                                + configuration.username().orElse("") + ": " + reply());
            };
        }

        private boolean offersNoneSupported() {
            return transport.offered().authMechanisms().stream().noneMatch(MECHANISMS::contains);
        }

        /**
         * The mechanisms the server offers, in words. Angus tries a login when the server offers
         * only the old form {@code AUTH=LOGIN}, but finds no mechanism in it without an AUTH line.
         */
        private String offeredMechanisms() {
            List<String> offered = transport.offered().authMechanisms();
            return offered.isEmpty() && transport.supportsExtension("AUTH=LOGIN")
                    ? "the server offers only the old form AUTH=LOGIN, without an AUTH line"
                    : "the server offers AUTH " + String.join(" ", offered);
        }

        private void tls(long started, boolean spokeSmtp, TlsHandshake handshake) throws StepFailed {
            try {
                handshake.run();
            } catch (IOException e) {
                throw tlsFailure(started, spokeSmtp, e);
            }
        }

        /**
         * The failure of a TLS handshake. The certificate is named only when {@code spokeSmtp}: a
         * TLS service that is not SMTP must not tell its host names through a probe.
         */
        private StepFailed tlsFailure(long started, boolean spokeSmtp, Throwable failure) {
            String certificate = spokeSmtp ? certificates.certificate().map(text -> ": " + text).orElse("") : "";
            Optional<Problem> rejected = certificates.problem();
            if (rejected.isPresent()) {
                String why = switch (rejected.get()) {
                    case CERTIFICATE_EXPIRED -> "the certificate is expired or not valid yet";
                    case HOST_NAME_MISMATCH -> "the certificate is not for " + configuration.asciiHost();
                    default -> "the certificate is not signed by an authority this service trusts";
                };
                return fail(SmtpStep.TLS, started, rejected.get(), why + certificate);
            }
            Throwable cause = rootCause(failure);
            if (cause instanceof SocketTimeoutException) {
                return fail(SmtpStep.TLS, started, Problem.TIMED_OUT, "no TLS handshake in " + timeout.toMillis() + " ms");
            }
            // The JDK's words for a peer that answered the handshake with something that is not TLS.
            if (cause instanceof SSLException ssl && String.valueOf(ssl.getMessage()).contains("plaintext")
                    || String.valueOf(cause.getMessage()).contains("Unsupported or unrecognized SSL message")) {
                return fail(SmtpStep.TLS, started, Problem.PLAIN_TEXT_WHERE_TLS_EXPECTED,
                        "the server answered in plain text where TLS was expected");
            }
            return fail(SmtpStep.TLS, started, Problem.TLS_FAILED, "the TLS handshake failed: "
                    + cause.getClass().getSimpleName());
        }

        private Properties properties() {
            Properties properties = transports.sessionProperties(configuration);
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {certificates}, null);
                // Over the recording trust, layered on the connection as the transport's TLS is.
                properties.put("mail.smtp.ssl.socketFactory", context.getSocketFactory());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK offers TLS", e);
            }
            // The probe runs STARTTLS itself, to time it, and applies the transport's rule on whether
            // it must: Angus, told to, would look for STARTTLS again after the upgrade and refuse.
            startTlsRequired = Boolean.parseBoolean(properties.getProperty("mail.smtp.starttls.required"));
            properties.setProperty("mail.smtp.starttls.enable", "false");
            properties.setProperty("mail.smtp.starttls.required", "false");
            // Angus, told to log in without a password, would return before reading the greeting:
            // the steps up to AUTH run without a login, and AUTH fails on its own.
            if (configuration.password().isEmpty()) {
                properties.setProperty("mail.smtp.auth", "false");
            }
            properties.setProperty("mail.smtp.host", configuration.asciiHost());
            properties.setProperty("mail.smtp.port", Integer.toString(configuration.port()));
            return properties;
        }

        private long passed(SmtpStep step, long started, String detail) {
            long now = System.nanoTime();
            results.add(ok(step, started, now, detail));
            return now;
        }

        /** Records {@code step} as failed; a failure that came of the deadline closing the socket failed for it. */
        private StepFailed fail(SmtpStep step, long started, Problem why, String detail) {
            boolean deadline = why == Problem.DEADLINE_PASSED || cut;
            problem = deadline ? Problem.DEADLINE_PASSED : why;
            String said = deadline ? "the whole verification took longer than its limit of " + limit.toMillis() + " ms"
                    : detail;
            results.add(new SmtpStep.Result(step, false, Duration.ofNanos(Math.max(0, System.nanoTime() - started)),
                    said));
            return new StepFailed(said);
        }

        /** Ends the conversation and closes the sockets; run by the probing thread alone. */
        void close() {
            try {
                if (transport != null && transport.isConnected()) {
                    transport.close();
                }
            } catch (MessagingException | RuntimeException e) {
                // the server may have gone; the sockets close below
            }
            if (smtpSocket != tcp) {
                SmtpSocket.closeQuietly(smtpSocket);
            }
            SmtpSocket.closeQuietly(tcp);
        }

        /**
         * An Angus transport that takes the configured login, notes when each protocol step ends,
         * and upgrades with Angus's STARTTLS right after the first EHLO, where Angus itself would.
         */
        private final class StepTransport extends ConfiguredTransport {

            private static final Capabilities NOTHING = new Capabilities(false, List.of(), OptionalLong.empty());

            final Session session;
            volatile SmtpStep phase = SmtpStep.GREETING;
            volatile String greeting = "";
            long greeted;
            long ehloEnded;
            long tlsStarted;
            long lastEhloEnded;
            long connected;
            /** What the last EHLO offered: after STARTTLS, what the login may use. */
            Capabilities lastEhlo;

            StepTransport(Session session, SmtpSocket socket) {
                super(session, Run.this.configuration, socket);
                this.session = session;
            }

            /** What the server offers now; nothing after HELO. */
            Capabilities offered() {
                return lastEhlo != null ? lastEhlo : NOTHING;
            }

            /** When the phase a failure came in started. */
            long phaseStarted(long connectStarted) {
                return switch (phase) {
                    case GREETING -> connectStarted;
                    case EHLO -> greeted;
                    case TLS -> tlsStarted != 0 ? tlsStarted : ehloEnded;
                    default -> lastEhloEnded;
                };
            }

            @Override
            protected synchronized boolean protocolConnect(String host, int port, String user, String password)
                    throws MessagingException {
                boolean done = super.protocolConnect(host, port, user, password);
                connected = System.nanoTime();
                return done;
            }

            @Override
            protected boolean ehlo(String domain) throws MessagingException {
                boolean first = phase == SmtpStep.GREETING;
                if (first) {
                    greeted = System.nanoTime();
                    greeting = String.valueOf(getLastServerResponse()).strip();
                    phase = SmtpStep.EHLO;
                }
                if (!super.ehlo(domain)) {
                    // The first refused: Angus tries HELO next (see helo). The one after STARTTLS
                    // refused: Angus goes on to AUTH with what the first offered.
                    if (!first) {
                        lastEhloEnded = System.nanoTime();
                        phase = SmtpStep.AUTH;
                    }
                    return false;
                }
                lastEhloEnded = System.nanoTime();
                lastEhlo = capabilities();
                if (first) {
                    ehloEnded = lastEhloEnded;
                    firstEhlo = lastEhlo;
                    afterHello(firstEhlo.startTls());
                } else {
                    phase = SmtpStep.AUTH;
                }
                return true;
            }

            /** Angus's fallback when EHLO was refused: a server that takes HELO offers no extension. */
            @Override
            protected void helo(String domain) throws MessagingException {
                super.helo(domain);
                ehloEnded = System.nanoTime();
                lastEhloEnded = ehloEnded;
                afterHello(false);
            }

            /** After the first EHLO or HELO: STARTTLS, where Angus would run it, or on to AUTH. */
            private void afterHello(boolean startTlsOffered) throws MessagingException {
                phase = !configuration.implicitTls() && (startTlsOffered || startTlsRequired)
                        ? SmtpStep.TLS : SmtpStep.AUTH;
                if (phase == SmtpStep.TLS) {
                    if (!startTlsOffered) {
                        throw new MessagingException("STARTTLS is required but not offered");
                    }
                    tlsStarted = System.nanoTime();
                    startTLS();
                    // This EHLO notes its own end, the TLS step's.
                    ehlo(getLocalHost());
                }
            }

            private Capabilities capabilities() {
                String size = getExtensionParameter("SIZE");
                return new Capabilities(supportsExtension("STARTTLS"), mechanisms(getExtensionParameter("AUTH")),
                        size != null && size.strip().matches("[0-9]{1,18}")
                                ? OptionalLong.of(Long.parseLong(size.strip())) : OptionalLong.empty());
            }
        }
    }

    /** A TLS handshake, which may fail with the network's exceptions. */
    @FunctionalInterface
    private interface TlsHandshake {
        void run() throws IOException;
    }

    private static List<String> mechanisms(String authParameter) {
        return authParameter == null || authParameter.isBlank() ? List.of()
                : Arrays.stream(authParameter.strip().split("\\s+")).map(name -> name.toUpperCase(Locale.ROOT)).toList();
    }

    private static String describe(Capabilities offered) {
        return "offers " + (offered.startTls() ? "STARTTLS, " : "no STARTTLS, ")
                + (offered.authMechanisms().isEmpty() ? "no AUTH" : "AUTH " + String.join(" ", offered.authMechanisms()))
                + offered.maxSize().stream().mapToObj(size -> ", SIZE " + size).collect(Collectors.joining());
    }

    private static SmtpStep.Result ok(SmtpStep step, long started, long ended, String detail) {
        return new SmtpStep.Result(step, true, Duration.ofNanos(Math.max(0, ended - started)), detail);
    }

    private static Throwable rootCause(Throwable failure) {
        return FailureDiagnosis.rootCause(failure);
    }
}
