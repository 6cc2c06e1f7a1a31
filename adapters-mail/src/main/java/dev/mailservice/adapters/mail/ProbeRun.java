package dev.mailservice.adapters.mail;

import dev.mailservice.adapters.mail.ProbeSteps.StepFailed;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.SmtpProbe.Capabilities;
import dev.mailservice.application.port.out.SmtpProbe.Probe;
import dev.mailservice.application.port.out.SmtpProbe.Problem;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One probe's run of steps, DNS to the test mail, each started only when the one before passed:
 * its sockets and transport, and when the run must end. What it met is recorded in its {@link
 * ProbeSteps}; TLS and the certificate are told apart by its {@link ProbeTls}.
 */
final class ProbeRun {

    private final SmtpConfiguration configuration;
    private final SmtpCredentials credentials;
    /** What the AUTH step logs in with: the secret got from the credentials as the run began. */
    private final SmtpLogin login;
    private final JakartaMailTransportFactory transports;
    /** The limit of each step. */
    private final Duration timeout;
    private final long endsAt;
    private final ProbeSteps steps;
    private final ProbeTls tls;
    /** The transport's {@code requireTls}, which the probe applies itself (see {@link #properties()}). */
    private boolean startTlsRequired;
    /** The TCP connection: the only thing the deadline touches. */
    private volatile SmtpSocket tcp;
    /** What SMTP is spoken over: the TCP connection, or TLS over it when TLS is implicit. */
    private Socket smtpSocket;
    private volatile boolean deadlinePassed;
    private Session session;
    private ProbeStepTransport transport;

    /**
     * @param credentials what the AUTH step logs in with; their secret is got here, before anything is opened
     * @param transports  whose session settings and timeout (the limit of each step) the run uses
     * @param trust       the authorities the transport trusts
     */
    ProbeRun(SmtpConfiguration configuration, SmtpCredentials credentials, Duration limit,
            JakartaMailTransportFactory transports, X509ExtendedTrustManager trust) {
        this.configuration = configuration;
        this.credentials = credentials;
        this.login = SmtpLogin.of(configuration, credentials, limit);
        this.transports = transports;
        this.timeout = transports.timeout();
        this.endsAt = System.nanoTime() + limit.toNanos();
        this.steps = new ProbeSteps(limit);
        this.tls = new ProbeTls(trust, configuration.asciiHost(), timeout, steps);
    }

    /** The deadline's task: it marks the run and closes the TCP socket, nothing else. */
    void deadlinePassed() {
        deadlinePassed = true;
        Socket open = tcp;
        if (open != null) {
            steps.cut();
            SmtpSocket.closeQuietly(open);
        }
    }

    /** Runs the steps through AUTH, then sends {@code testMail} when given; the first that fails ends the run. */
    void runSteps(Optional<MailMessage> testMail) {
        try {
            long started = System.nanoTime();
            InetAddress address = resolve(started);
            started = steps.passed(SmtpStep.DNS, started, configuration.asciiHost() + " is "
                    + address.getHostAddress());
            connect(address, started);
            started = steps.passed(SmtpStep.CONNECT, started, "connected to " + address.getHostAddress() + ":"
                    + configuration.port());
            Properties properties = properties();
            if (configuration.implicitTls()) {
                beforeStep(SmtpStep.TLS, started);
                smtpSocket = tls.implicit(tcp, properties, started);
                started = steps.passedImplicitTls(started);
            }
            session = Session.getInstance(properties);
            transport = new ProbeStepTransport(session, configuration, login, tcp, startTlsRequired);
            beforeStep(SmtpStep.GREETING, started);
            smtp(started);
            if (testMail.isPresent()) {
                beforeStep(SmtpStep.SEND, System.nanoTime());
                send(testMail.get());
            }
        } catch (StepFailed failed) {
            // recorded by steps.fail(); the run ends at the first failed step
        }
    }

    /** How the run went, for the caller. */
    Probe outcome() {
        return new Probe(steps.results(), steps.problem(),
                Optional.ofNullable(transport == null ? null : transport.firstEhlo()), supported());
    }

    /** Fails {@code step} before it starts when the deadline has passed. */
    private void beforeStep(SmtpStep step, long started) throws StepFailed {
        if (deadlinePassed) {
            throw steps.fail(step, started, Problem.DEADLINE_PASSED, "");
        }
    }

    private InetAddress resolve(long started) throws StepFailed {
        long wait = Math.min(timeout.toNanos(), endsAt - System.nanoTime());
        try {
            return SmtpConnection.resolve(configuration.asciiHost(), wait);
        } catch (UnknownHostException e) {
            throw steps.fail(SmtpStep.DNS, started, Problem.UNKNOWN_HOST, configuration.asciiHost()
                    + " does not resolve");
        } catch (SocketTimeoutException e) {
            throw wait < timeout.toNanos() ? steps.fail(SmtpStep.DNS, started, Problem.DEADLINE_PASSED, "")
                    : steps.fail(SmtpStep.DNS, started, Problem.TIMED_OUT, "no DNS answer in " + timeout.toMillis()
                            + " ms");
        }
    }

    private void connect(InetAddress address, long started) throws StepFailed {
        SmtpSocket socket;
        try {
            // As the transport's connections: each write sent at once, each reply bounded.
            socket = new SmtpSocket(timeout);
        } catch (IOException e) {
            throw steps.fail(SmtpStep.CONNECT, started, Problem.UNREACHABLE, "no socket could be made: "
                    + e.getClass().getSimpleName());
        }
        tcp = socket;
        smtpSocket = socket;
        // The deadline may have passed before there was a socket to close.
        beforeStep(SmtpStep.CONNECT, started);
        try {
            socket.connect(new InetSocketAddress(address, configuration.port()), (int) timeout.toMillis());
        } catch (ConnectException e) {
            throw steps.fail(SmtpStep.CONNECT, started, Problem.CONNECTION_REFUSED, "nothing accepts connections on "
                    + address.getHostAddress() + ":" + configuration.port());
        } catch (IOException e) {
            throw steps.fail(SmtpStep.CONNECT, started, Problem.UNREACHABLE, address.getHostAddress() + ":"
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
            SmtpStep failedIn = transport.phase();
            passedBefore(failedIn, started);
            throw failInSmtp(failedIn, transport.phaseStarted(started), e);
        }
        passedBefore(SmtpStep.AUTH, started);
        if (configuration.username().isEmpty()) {
            return;
        }
        long beforeAuth = transport.lastEhloEnded();
        if (!configuration.logsIn()) {
            throw steps.fail(SmtpStep.AUTH, beforeAuth, Problem.PASSWORD_MISSING, "a username is set but no password: "
                    + "no login was tried");
        }
        steps.passed(SmtpStep.AUTH, beforeAuth, transport.connected(), "logged in as "
                + configuration.username().get() + (login.xoauth2() ? " with an access token (XOAUTH2)" : "")
                + " (offered: " + String.join(" ", transport.offered().authMechanisms()) + ")");
    }

    /** The steps inside Angus's connect that passed before {@code failedIn} (AUTH: all of them). */
    private void passedBefore(SmtpStep failedIn, long started) {
        if (failedIn == SmtpStep.GREETING) {
            return;
        }
        // The greeting is shown only once EHLO or HELO was answered: then the server speaks SMTP.
        steps.passed(SmtpStep.GREETING, started, transport.greeted(), failedIn == SmtpStep.EHLO ? "a 220 reply"
                : "an SMTP greeting: " + transport.greeting());
        if (failedIn == SmtpStep.EHLO) {
            return;
        }
        Capabilities firstEhlo = transport.firstEhlo();
        steps.passed(SmtpStep.EHLO, transport.greeted(), transport.ehloEnded(),
                firstEhlo == null ? "HELO only: no extensions" : describe(firstEhlo));
        steps.showOnImplicitTls(tls.certificate());
        if (failedIn == SmtpStep.TLS || configuration.implicitTls()) {
            return;
        }
        if (transport.tlsStarted() != 0) {
            steps.passed(SmtpStep.TLS, transport.tlsStarted(), transport.lastEhloEnded(),
                    "STARTTLS; " + tls.certificate().orElse(""));
        } else {
            steps.passed(SmtpStep.TLS, transport.ehloEnded(), transport.ehloEnded(),
                    "not offered: the connection stays in plain text");
        }
    }

    private void send(MailMessage message) throws StepFailed {
        long started = System.nanoTime();
        MimeMessage mime;
        try {
            mime = JakartaMailTransport.toMime(configuration, session, message);
        } catch (RuntimeException e) {
            throw steps.fail(SmtpStep.SEND, started, Problem.TEST_MAIL_NOT_COMPOSED, "the test mail could not be "
                    + "composed: " + e.getClass().getSimpleName());
        }
        try {
            transport.sendMessage(mime, mime.getAllRecipients());
        } catch (MessagingException | RuntimeException e) {
            throw steps.fail(SmtpStep.SEND, started, Problem.SEND_REFUSED, "the server refused the test mail: "
                    + reply());
        }
        steps.passed(SmtpStep.SEND, started, "the server accepted the test mail: " + reply());
    }

    /** The server's last reply, without the password or the access token should the server echo it. */
    private String reply() {
        return transport.lastReply();
    }

    /** The failure of a step inside Angus's connect, by the phase it came in. */
    private StepFailed failInSmtp(SmtpStep phase, long started, MessagingException e) {
        Throwable cause = FailureDiagnosis.rootCause(e);
        if (cause instanceof SocketTimeoutException) {
            return steps.fail(phase, started, Problem.TIMED_OUT, "no answer in " + timeout.toMillis() + " ms");
        }
        if (cause instanceof SmtpSocket.ReplyTooLong tooLong) {
            return steps.fail(phase, started, Problem.REPLY_TOO_LONG, "the server was dropped: "
                    + tooLong.getMessage());
        }
        Capabilities firstEhlo = transport.firstEhlo();
        return switch (phase) {
            case GREETING -> steps.fail(phase, started, Problem.NOT_SMTP, "no SMTP greeting (a 220 reply) came: what "
                    + "answers is not an SMTP server, or it closed the connection");
            case EHLO -> steps.fail(phase, started, Problem.NOT_SMTP, "the server refused EHLO and HELO: it does not "
                    + "speak SMTP");
            case TLS -> firstEhlo == null || !firstEhlo.startTls()
                    ? steps.fail(phase, started, Problem.STARTTLS_NOT_OFFERED, "the server does not offer STARTTLS, "
                            + "and SMTP_REQUIRE_TLS demands TLS")
                    : tls.failure(started, true, cause);
            default -> e instanceof ConfiguredTransport.NoLoginOffered none
                    ? steps.fail(SmtpStep.AUTH, started, Problem.AUTH_NOT_OFFERED, "the server " + none.getMessage())
                    : e instanceof AuthenticationFailedException && offersNoneSupported()
                    ? steps.fail(SmtpStep.AUTH, started, Problem.MECHANISM_MISSING, offeredMechanisms() + ", none of "
                            + String.join(" ", supported()))
                    : steps.fail(SmtpStep.AUTH, started, Problem.AUTH_REJECTED, "the server refused the "
                            + (login.xoauth2() ? "access token for " : "login of ") + configuration.username().orElse("")
                            + ": " + reply());
        };
    }

    /** The mechanisms the login may use: XOAUTH2 alone with an access token. */
    private List<String> supported() {
        return login.xoauth2() ? AngusSmtpProbe.TOKEN_MECHANISMS : AngusSmtpProbe.MECHANISMS;
    }

    private boolean offersNoneSupported() {
        return transport.offered().authMechanisms().stream().noneMatch(supported()::contains);
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

    private Properties properties() {
        Properties properties = transports.sessionProperties(configuration, credentials);
        // Over the recording trust, layered on the connection as the transport's TLS is.
        properties.put("mail.smtp.ssl.socketFactory", tls.socketFactory());
        // The probe runs STARTTLS itself, to time it, and applies the transport's rule on whether
        // it must: Angus, told to, would look for STARTTLS again after the upgrade and refuse.
        startTlsRequired = Boolean.parseBoolean(properties.getProperty("mail.smtp.starttls.required"));
        properties.setProperty("mail.smtp.starttls.enable", "false");
        properties.setProperty("mail.smtp.starttls.required", "false");
        // Angus, told to log in without a password, would return before reading the greeting:
        // the steps up to AUTH run without a login, and AUTH fails on its own.
        if (!configuration.logsIn()) {
            properties.setProperty("mail.smtp.auth", "false");
        }
        properties.setProperty("mail.smtp.host", configuration.asciiHost());
        properties.setProperty("mail.smtp.port", Integer.toString(configuration.port()));
        return properties;
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

    private static String describe(Capabilities offered) {
        return "offers " + (offered.startTls() ? "STARTTLS, " : "no STARTTLS, ")
                + (offered.authMechanisms().isEmpty() ? "no AUTH" : "AUTH " + String.join(" ", offered.authMechanisms()))
                + offered.maxSize().stream().mapToObj(size -> ", SIZE " + size).collect(Collectors.joining());
    }
}
