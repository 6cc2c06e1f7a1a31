package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.Session;
import jakarta.mail.util.StreamProvider;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.util.MailStreamProvider;

/**
 * Builds {@link JakartaMailTransport}s on Angus Mail.
 *
 * <ul>
 *   <li>Port 465, and any port of a {@code secure} configuration, speaks TLS from the first byte
 *       (implicit TLS, "SMTPS", {@link SmtpConfiguration#implicitTls()}); every other one starts
 *       in plain text and upgrades with STARTTLS whenever the server offers it, or, with
 *       {@code requireTls}, refuses to go on when the server does not (so that no one on the path
 *       can strip the upgrade and read the password).</li>
 *   <li>The server's certificate and host name are checked against the JDK's authorities, or
 *       those of {@code tls} when given (the JDK's and the deployment's extra ones).</li>
 *   <li>SMTP AUTH is used when the configuration has a username: with its password, or with an
 *       OAuth 2.0 access token (SASL XOAUTH2, the only mechanism then tried), got from the
 *       {@link SmtpCredentials} as each connection logs in; a token the server refuses is replaced
 *       once ({@link SmtpConnection#open}).</li>
 *   <li>Every connection is an {@link SmtpSocket}: connecting, and every read and write, give up
 *       after the timeout, a whole send after its deadline, and a server's reply has a size limit.</li>
 *   <li>Up to {@code poolSize} connections per server and user are opened as sends need them and
 *       stay open between sends, shared by the transports of every configuration that reaches that
 *       server as that user with the same credentials ({@link SharedSmtpPools}), until they stay
 *       idle, carried their mails or grew old; a send waits at most the timeout for a free one
 *       ({@link SmtpConnectionPool}).</li>
 * </ul>
 */
public final class JakartaMailTransportFactory implements MailTransportFactory {

    /** Closes the connections that stayed idle too long, for every factory: one thread, asleep in between. */
    private static final ScheduledExecutorService IDLE_SWEEPS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("smtp-idle-sweep").daemon(true).factory());

    /** A connection used this recently is reused without a NOOP, by default. */
    static final Duration TRUSTED_WITHOUT_CHECK = Duration.ofSeconds(5);
    /** How long without a refusal for the server's limit before a lowered pool maximum climbs by one, by default. */
    static final Duration RECOVER_AFTER = Duration.ofSeconds(10);

    static {
        // Jakarta Mail 2.1 looks its StreamProvider up with a ServiceLoader scan of the class path
        // for every MIME part it builds or writes (jakartaee/mail-api#861), which dominated the
        // cost of a send. Naming the provider in the system property it checks first skips the scan.
        System.getProperties().putIfAbsent(StreamProvider.class.getName(), MailStreamProvider.class.getName());
    }

    private final SmtpSettings settings;
    /** Makes the TLS connections: implicit TLS and the STARTTLS upgrade alike. */
    private final SSLSocketFactory tls;
    private final Duration trustedWithoutCheck;
    private final Duration recoverAfter;
    private final ConcurrentMap<SessionKind, Session> sessions = new ConcurrentHashMap<>();
    private final SharedSmtpPools pools = new SharedSmtpPools();
    private final SmtpMeters meters = new SmtpMeters();

    /**
     * @param tls makes the TLS connections, trusting the authorities the service trusts; empty for
     *            the JDK's own, made at the first TLS connection. Pass a {@link
     *            DeferredSslSocketFactory} for a given one to be made at its first use too.
     */
    public JakartaMailTransportFactory(SmtpSettings settings, Optional<SSLSocketFactory> tls) {
        this(settings, tls, TRUSTED_WITHOUT_CHECK, RECOVER_AFTER);
    }

    /**
     * As above, with how long a used connection is trusted without a NOOP, and how long a lowered
     * pool maximum waits before it climbs, given: for tests.
     */
    JakartaMailTransportFactory(SmtpSettings settings, Optional<SSLSocketFactory> tls, Duration trustedWithoutCheck,
            Duration recoverAfter) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tls = Objects.requireNonNull(tls, "tls").orElseGet(DeferredSslSocketFactory::jdkDefault);
        this.trustedWithoutCheck = Objects.requireNonNull(trustedWithoutCheck, "trustedWithoutCheck");
        this.recoverAfter = Objects.requireNonNull(recoverAfter, "recoverAfter");
        long sweepPeriod = sweepPeriod(settings.poolIdle());
        IDLE_SWEEPS.scheduleWithFixedDelay(() -> pools.forEach(SmtpConnectionPool::closeIdleConnections),
                sweepPeriod, sweepPeriod, TimeUnit.MILLISECONDS);
    }

    /** Half the idle limit, between a tenth of a second and ten seconds: a connection lives at most that much longer. */
    private static long sweepPeriod(Duration idleLimit) {
        return Math.clamp(idleLimit.toMillis() / 2, 100, 10_000);
    }

    @Override
    public MailTransport create(SmtpConfiguration configuration, SmtpCredentials credentials) {
        Session session = sessions.computeIfAbsent(SessionKind.of(configuration, credentials),
                kind -> Session.getInstance(sessionProperties(configuration, credentials)));
        SharedSmtpPools.Key key = SharedSmtpPools.Key.of(configuration, credentials);
        SmtpConnectionPool.Limits limits = new SmtpConnectionPool.Limits(settings.poolSize(), settings.timeout(),
                settings.poolIdle(), settings.connectionMaxMails(), settings.connectionMaxAge(), trustedWithoutCheck,
                recoverAfter);
        SmtpConnectionPool connections = pools.acquire(key, ignored -> new SmtpConnectionPool(
                deadline -> SmtpConnection.open(configuration, credentials, session, settings.timeout(), deadline),
                limits, configuration.address(), meters, System::nanoTime));
        return new JakartaMailTransport(configuration, session, connections, settings.sendDeadline(), meters,
                () -> pools.release(key));
    }

    /** What the transports of this factory hold and have done. */
    public SmtpMeters meters() {
        return meters;
    }

    /** The limit of connecting and of each read and write on a connection. */
    Duration timeout() {
        return settings.timeout();
    }

    /**
     * The Jakarta Mail session settings for {@code configuration} logging in with {@code
     * credentials}; visible for tests. The server's address and the secrets are not among them:
     * they are given with each connection, so that configurations of the same {@link SessionKind}
     * share a session. Nor are the timeouts: the connections are {@link SmtpSocket}s the service
     * makes, which keep them.
     */
    Properties sessionProperties(SmtpConfiguration configuration, SmtpCredentials credentials) {
        SessionKind kind = SessionKind.of(configuration, credentials);
        Properties properties = new Properties();
        properties.setProperty("mail.transport.protocol", "smtp");
        properties.setProperty("mail.smtp.auth", Boolean.toString(kind.authenticate()));
        if (kind.xoauth2()) {
            // The only mechanism tried: a server that offers PLAIN or LOGIN too never gets the token as a password.
            properties.setProperty("mail.smtp.auth.mechanisms", "XOAUTH2");
        }
        properties.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        // Whole mails with DATA, never BDAT chunks: MailPhaseTransport tells a mail handed over from one that
        // was not by the end-of-data dot, which BDAT has not.
        properties.setProperty("mail.smtp.chunksize", "0");
        // Used for implicit TLS and for the STARTTLS upgrade alike, over the connection the service made.
        properties.put("mail.smtp.ssl.socketFactory", tls);
        if (kind.implicitTls()) {
            properties.setProperty("mail.smtp.ssl.enable", "true");
        } else {
            properties.setProperty("mail.smtp.starttls.enable", "true");
            properties.setProperty("mail.smtp.starttls.required", Boolean.toString(settings.requireTls()));
        }
        return properties;
    }

    /**
     * What a session's settings depend on. Building a Jakarta Mail session scans the class path
     * for mail providers (about 0.3 ms), so sessions are built once per kind, not per reload.
     */
    private record SessionKind(boolean implicitTls, boolean authenticate, boolean xoauth2) {

        static SessionKind of(SmtpConfiguration configuration, SmtpCredentials credentials) {
            boolean authenticate = configuration.username().isPresent();
            return new SessionKind(configuration.implicitTls(), authenticate,
                    authenticate && credentials.accessToken());
        }
    }
}
