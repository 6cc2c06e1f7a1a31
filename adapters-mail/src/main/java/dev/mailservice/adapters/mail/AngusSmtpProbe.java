package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>What a server said is shown only once it proved to speak SMTP (a 250 to EHLO or HELO): before
 * that, a detail says what kind of answer came, never its text.
 */
public final class AngusSmtpProbe implements SmtpProbe {

    /** The mechanisms Angus Mail logs in with by default (XOAUTH2 needs a token, not a password). */
    static final List<String> MECHANISMS = List.of("LOGIN", "PLAIN", "DIGEST-MD5", "NTLM");

    /** Ends a run that outlived its limit, by closing its socket: one thread for every probe, asleep in between. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("smtp-probe-deadline").daemon(true).factory());

    private final JakartaMailTransportFactory transports;
    private final Duration timeout;
    private final X509ExtendedTrustManager trust;

    /**
     * @param transports whose session settings the probe uses
     * @param timeout    the limit of each step, the transport's
     * @param trust      the authorities the transport trusts
     */
    public AngusSmtpProbe(JakartaMailTransportFactory transports, Duration timeout, TrustManagerFactory trust) {
        this.transports = transports;
        this.timeout = timeout;
        this.trust = Arrays.stream(trust.getTrustManagers())
                .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no X.509 trust manager"));
    }

    @Override
    public Probe probe(SmtpConfiguration configuration, Optional<MailMessage> testMail, Duration limit) {
        Run run = new Run(configuration);
        ScheduledFuture<?> deadline = DEADLINES.schedule(run::deadlinePassed, limit.toMillis(), TimeUnit.MILLISECONDS);
        try {
            run.steps(testMail);
        } finally {
            deadline.cancel(false);
            run.close();
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

    /** One probe's state: its socket, transport, the results so far. */
    private final class Run {

        final SmtpConfiguration configuration;
        final List<SmtpStep.Result> results = new ArrayList<>();
        final RecordingTrustManager certificates = new RecordingTrustManager(trust);
        Problem problem;
        Capabilities firstEhlo;
        /** The transport's {@code requireTls}, which the probe applies itself (see {@link #properties()}). */
        boolean startTlsRequired;
        volatile Socket socket;
        volatile boolean deadlinePassed;
        StepTransport transport;

        Run(SmtpConfiguration configuration) {
            this.configuration = configuration;
        }

        void deadlinePassed() {
            deadlinePassed = true;
            close();
        }

        void steps(Optional<MailMessage> testMail) {
            try {
                long started = System.nanoTime();
                InetAddress address = resolve();
                started = passed(SmtpStep.DNS, started, configuration.asciiHost() + " is " + address.getHostAddress());
                connect(address);
                started = passed(SmtpStep.CONNECT, started, "connected to " + address.getHostAddress() + ":"
                        + configuration.port());
                Properties properties = properties();
                if (configuration.implicitTls()) {
                    tls(() -> socket = SocketFetcher.startTLS(socket, configuration.asciiHost(), properties, "mail.smtp"));
                    started = passed(SmtpStep.TLS, started, "implicit TLS; " + certificates.certificate().orElse(""));
                }
                transport = new StepTransport(Session.getInstance(properties), configuration);
                smtp(started);
                testMail.ifPresent(this::send);
            } catch (StepFailed failed) {
                // recorded by fail(); the run ends at the first failed step
            }
        }

        private InetAddress resolve() throws StepFailed {
            // The JDK's resolver has no timeout of its own; a lookup left running ends by itself.
            CompletableFuture<InetAddress> lookup = CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getByName(configuration.asciiHost());
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException(e);
                }
            }, task -> Thread.ofVirtual().name("smtp-probe-dns").start(task));
            long started = System.nanoTime();
            try {
                return lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw fail(SmtpStep.DNS, started, Problem.UNKNOWN_HOST, configuration.asciiHost() + " does not resolve");
            } catch (TimeoutException e) {
                throw fail(SmtpStep.DNS, started, Problem.TIMED_OUT, "no DNS answer in " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fail(SmtpStep.DNS, started, Problem.TIMED_OUT, "interrupted while waiting for the DNS");
            }
        }

        private void connect(InetAddress address) throws StepFailed {
            long started = System.nanoTime();
            try {
                socket = new Socket();
                socket.setSoTimeout((int) timeout.toMillis());
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
                transport.connect(socket);
            } catch (MessagingException e) {
                SmtpStep failedIn = transport.phase;
                passedBefore(failedIn, started);
                throw failInSmtp(failedIn, transport.phaseStarted(started), e);
            }
            passedBefore(SmtpStep.AUTH, started);
            if (configuration.username().isPresent()) {
                long beforeAuth = transport.lastEhloEnded;
                List<String> offered = mechanisms(transport.getExtensionParameter("AUTH"));
                if (offered.isEmpty()) {
                    throw fail(SmtpStep.AUTH, beforeAuth, Problem.AUTH_NOT_OFFERED, "the server offers no SMTP AUTH");
                }
                results.add(ok(SmtpStep.AUTH, beforeAuth, transport.connected, "logged in as "
                        + configuration.username().get() + " (offered: " + String.join(" ", offered) + ")"));
            }
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
            results.add(ok(SmtpStep.EHLO, transport.greeted, transport.ehloEnded, describe(firstEhlo)));
            if (failedIn == SmtpStep.TLS || configuration.implicitTls()) {
                return;
            }
            results.add(transport.tlsStarted != 0
                    ? ok(SmtpStep.TLS, transport.tlsStarted, transport.lastEhloEnded,
                            "STARTTLS; " + certificates.certificate().orElse(""))
                    : ok(SmtpStep.TLS, transport.ehloEnded, transport.ehloEnded,
                            "not offered: the connection stays in plain text"));
        }

        private void send(MailMessage message) {
            long started = System.nanoTime();
            try {
                MimeMessage mime = JakartaMailTransport.toMime(configuration, transport.session(), message);
                transport.sendMessage(mime, mime.getAllRecipients());
                passed(SmtpStep.SEND, started, "the server accepted the test mail: " + reply());
            } catch (MessagingException | RuntimeException e) {
                fail(SmtpStep.SEND, started, Problem.SEND_REFUSED, "the server refused the test mail: " + reply());
            }
        }

        private String reply() {
            return String.valueOf(transport.getLastServerResponse()).strip();
        }

        /** The failure of a step inside Angus's connect, by the phase it came in. */
        private StepFailed failInSmtp(SmtpStep phase, long started, MessagingException e) {
            Throwable cause = JakartaMailTransport.rootCause(e);
            if (cause instanceof SocketTimeoutException) {
                return fail(phase, started, Problem.TIMED_OUT, "no answer in " + timeout.toMillis() + " ms");
            }
            return switch (phase) {
                case GREETING -> fail(phase, started, Problem.NOT_SMTP, "no SMTP greeting (a 220 reply) came: what "
                        + "answers is not an SMTP server, or it closed the connection");
                case EHLO -> fail(phase, started, Problem.NOT_SMTP, "the server refused EHLO and HELO: it does not "
                        + "speak SMTP");
                case TLS -> firstEhlo != null && !firstEhlo.startTls()
                        ? fail(phase, started, Problem.STARTTLS_NOT_OFFERED, "the server does not offer STARTTLS, and "
                                + "SMTP_REQUIRE_TLS demands TLS")
                        : tlsFailure(started, cause);
                default -> e instanceof AuthenticationFailedException && offersNoneSpoken()
                        ? fail(SmtpStep.AUTH, started, Problem.MECHANISM_MISSING, "the server offers AUTH "
                                + String.join(" ", mechanisms(transport.getExtensionParameter("AUTH")))
                                + ", none of " + String.join(" ", MECHANISMS))
                        : fail(SmtpStep.AUTH, started, Problem.AUTH_REJECTED, "the server refused the login of "
                                + configuration.username().orElse("") + ": " + reply());
            };
        }

        private boolean offersNoneSpoken() {
            return mechanisms(transport.getExtensionParameter("AUTH")).stream().noneMatch(MECHANISMS::contains);
        }

        private void tls(TlsHandshake handshake) throws StepFailed {
            long started = System.nanoTime();
            try {
                handshake.run();
            } catch (IOException e) {
                throw tlsFailure(started, e);
            }
        }

        private StepFailed tlsFailure(long started, Throwable cause) {
            String certificate = certificates.certificate().map(text -> ": " + text).orElse("");
            Optional<Problem> rejected = certificates.problem();
            if (rejected.isPresent()) {
                String why = switch (rejected.get()) {
                    case CERTIFICATE_EXPIRED -> "the certificate is expired or not valid yet";
                    case HOST_NAME_MISMATCH -> "the certificate is not for " + configuration.asciiHost();
                    default -> "the certificate is not signed by an authority this service trusts";
                };
                return fail(SmtpStep.TLS, started, rejected.get(), why + certificate);
            }
            if (rootCause(cause) instanceof SocketTimeoutException) {
                return fail(SmtpStep.TLS, started, Problem.TIMED_OUT, "no TLS handshake in " + timeout.toMillis() + " ms");
            }
            // The JDK's words for a peer that answered the handshake with something that is not TLS.
            if (rootCause(cause) instanceof SSLException ssl && String.valueOf(ssl.getMessage()).contains("plaintext")
                    || String.valueOf(rootCause(cause).getMessage()).contains("Unsupported or unrecognized SSL message")) {
                return fail(SmtpStep.TLS, started, Problem.PLAIN_TEXT_WHERE_TLS_EXPECTED,
                        "the server answered in plain text where TLS was expected");
            }
            return fail(SmtpStep.TLS, started, Problem.TLS_FAILED, "the TLS handshake failed: "
                    + rootCause(cause).getClass().getSimpleName());
        }

        private Properties properties() {
            Properties properties = transports.sessionProperties(configuration);
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {certificates}, null);
                properties.put("mail.smtp.ssl.socketFactory", context.getSocketFactory());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK offers TLS", e);
            }
            // The probe runs STARTTLS itself, to time it, and applies the transport's rule on whether
            // it must: Angus, told to, would look for STARTTLS again after the upgrade and refuse.
            startTlsRequired = Boolean.parseBoolean(properties.getProperty("mail.smtp.starttls.required"));
            properties.setProperty("mail.smtp.starttls.enable", "false");
            properties.setProperty("mail.smtp.starttls.required", "false");
            properties.setProperty("mail.smtp.host", configuration.asciiHost());
            properties.setProperty("mail.smtp.port", Integer.toString(configuration.port()));
            return properties;
        }

        private long passed(SmtpStep step, long started, String detail) {
            long now = System.nanoTime();
            results.add(ok(step, started, now, detail));
            return now;
        }

        /** Records {@code step} as failed; whatever it failed with, a run cut at its limit failed for that. */
        private StepFailed fail(SmtpStep step, long started, Problem why, String detail) {
            problem = deadlinePassed ? Problem.DEADLINE_PASSED : why;
            String said = deadlinePassed ? "the whole verification took longer than its limit" : detail;
            results.add(new SmtpStep.Result(step, false, Duration.ofNanos(System.nanoTime() - started), said));
            return new StepFailed(said);
        }

        void close() {
            try {
                if (transport != null && transport.isConnected()) {
                    transport.close();
                }
            } catch (MessagingException | RuntimeException e) {
                // the server may have gone; the socket closes below
            }
            Socket open = socket;
            try {
                if (open != null) {
                    open.close();
                }
            } catch (IOException e) {
                // closing is all that is left to do
            }
        }

        /**
         * An Angus transport that takes the configured login, notes when each protocol step ends,
         * and upgrades with Angus's STARTTLS right after the first EHLO, where Angus itself would.
         */
        private final class StepTransport extends SMTPTransport {

            private final Session session;
            private final SmtpConfiguration configuration;
            volatile SmtpStep phase = SmtpStep.GREETING;
            volatile String greeting = "";
            long greeted;
            long ehloEnded;
            long tlsStarted;
            long lastEhloEnded;
            long connected;

            StepTransport(Session session, SmtpConfiguration configuration) {
                super(session, new URLName("smtp", configuration.asciiHost(), configuration.port(), null, null, null));
                this.session = session;
                this.configuration = configuration;
            }

            Session session() {
                return session;
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
                boolean done = super.protocolConnect(configuration.asciiHost(), configuration.port(),
                        configuration.username().orElse(null),
                        configuration.username().flatMap(name -> configuration.password()).map(Password::reveal)
                                .orElse(null));
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
                boolean spoken = super.ehlo(domain);
                long now = System.nanoTime();
                if (first && !spoken) {
                    // Angus tries HELO next; a server that refuses both is no SMTP server.
                    return false;
                }
                if (first) {
                    ehloEnded = now;
                    firstEhlo = capabilities();
                    phase = !configuration.implicitTls() && (firstEhlo.startTls() || startTlsRequired)
                            ? SmtpStep.TLS : SmtpStep.AUTH;
                    if (phase == SmtpStep.TLS) {
                        tlsUpgrade();
                    }
                } else {
                    phase = SmtpStep.AUTH;
                }
                lastEhloEnded = now;
                return spoken;
            }

            /**
             * STARTTLS right after the first EHLO, where Angus would run it, and EHLO again; or
             * Angus's refusal when TLS is required and not offered.
             */
            private void tlsUpgrade() throws MessagingException {
                if (!firstEhlo.startTls()) {
                    throw new MessagingException("STARTTLS is required but not offered");
                }
                tlsStarted = System.nanoTime();
                startTLS();
                ehlo(getLocalHost());
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
        return JakartaMailTransport.rootCause(failure);
    }
}
