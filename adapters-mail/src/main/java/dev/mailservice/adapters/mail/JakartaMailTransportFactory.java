package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
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
 *   <li>SMTP AUTH is used when the configuration has a username.</li>
 *   <li>Connecting, and every read and write, give up after {@code timeout}, so a server that
 *       accepts the connection and then stays silent cannot hang a request.</li>
 *   <li>Up to {@code poolSize} connections per server and user are opened as sends need them and
 *       stay open between sends, shared by the transports of every configuration that reaches that
 *       server as that user, until they stay idle for {@code idleLimit}; a send waits at most
 *       {@code timeout} for a free one ({@link SmtpConnectionPool}).</li>
 * </ul>
 */
public final class JakartaMailTransportFactory implements MailTransportFactory {

    /** Closes the connections that stayed idle too long, for every factory: one thread, asleep in between. */
    private static final ScheduledExecutorService IDLE_SWEEPS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("smtp-idle-sweep").daemon(true).factory());

    static {
        // Jakarta Mail 2.1 looks its StreamProvider up with a ServiceLoader scan of the class path
        // for every MIME part it builds or writes (jakartaee/mail-api#861), which dominated the
        // cost of a send. Naming the provider in the system property it checks first skips the scan.
        System.getProperties().putIfAbsent(StreamProvider.class.getName(), MailStreamProvider.class.getName());
    }

    private final Duration timeout;
    private final int poolSize;
    private final Duration idleLimit;
    private final Duration trustedWithoutCheck;
    private final boolean requireTls;
    private final Optional<SSLSocketFactory> tls;
    private final ConcurrentMap<SessionKind, Session> sessions = new ConcurrentHashMap<>();
    private final SharedSmtpPools pools = new SharedSmtpPools();
    private final SmtpPoolMeters poolMeters = new SmtpPoolMeters();

    /**
     * @param timeout    limit for connecting and for each read and write on the SMTP connection
     * @param poolSize   how many connections to one server, as one user, may be open at once
     * @param idleLimit  how long a connection may stay idle before it is closed
     * @param requireTls whether a server that does not offer STARTTLS is refused rather than
     *                   spoken to in plain text
     * @param tls        makes the TLS connections, trusting the authorities the service trusts;
     *                   empty for the JDK's own
     */
    public JakartaMailTransportFactory(Duration timeout, int poolSize, Duration idleLimit, boolean requireTls,
            Optional<SSLSocketFactory> tls) {
        this(timeout, poolSize, idleLimit, requireTls, tls, SmtpConnectionPool.TRUSTED_WITHOUT_CHECK);
    }

    /** As above, with how long a used connection is trusted without a NOOP given, for tests. */
    JakartaMailTransportFactory(Duration timeout, int poolSize, Duration idleLimit, boolean requireTls,
            Optional<SSLSocketFactory> tls, Duration trustedWithoutCheck) {
        this.trustedWithoutCheck = Objects.requireNonNull(trustedWithoutCheck, "trustedWithoutCheck");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the SMTP timeout must be positive, got " + timeout);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("the SMTP connection pool needs at least one connection, got " + poolSize);
        }
        this.timeout = timeout;
        this.poolSize = poolSize;
        this.requireTls = requireTls;
        this.tls = Objects.requireNonNull(tls, "tls");
        this.idleLimit = Objects.requireNonNull(idleLimit, "idleLimit");
        IDLE_SWEEPS.scheduleWithFixedDelay(() -> pools.forEach(SmtpConnectionPool::closeIdleConnections),
                sweepPeriod(idleLimit), sweepPeriod(idleLimit), TimeUnit.MILLISECONDS);
    }

    /** Half the idle limit, between a tenth of a second and ten seconds: a connection lives at most that much longer. */
    private static long sweepPeriod(Duration idleLimit) {
        return Math.clamp(idleLimit.toMillis() / 2, 100, 10_000);
    }

    @Override
    public MailTransport create(SmtpConfiguration configuration) {
        Session session = sessions.computeIfAbsent(SessionKind.of(configuration),
                kind -> Session.getInstance(sessionProperties(configuration)));
        SharedSmtpPools.Key key = SharedSmtpPools.Key.of(configuration);
        SmtpConnectionPool connections = pools.acquire(key, ignored -> new SmtpConnectionPool(
                () -> JakartaMailTransport.connect(configuration, session), poolSize, timeout, idleLimit,
                configuration.address(), poolMeters, trustedWithoutCheck, System::nanoTime));
        return new JakartaMailTransport(configuration, session, connections, () -> pools.release(key));
    }

    /** What the connection pools of every transport of this factory hold and have done. */
    public SmtpPoolMeters poolMeters() {
        return poolMeters;
    }

    /**
     * The Jakarta Mail session settings for {@code configuration}; visible for tests. The server's
     * address and the credentials are not among them: they are given with each connection, so
     * that configurations of the same {@link SessionKind} share a session.
     */
    Properties sessionProperties(SmtpConfiguration configuration) {
        SessionKind kind = SessionKind.of(configuration);
        String millis = Long.toString(timeout.toMillis());
        Properties properties = new Properties();
        properties.setProperty("mail.transport.protocol", "smtp");
        properties.setProperty("mail.smtp.connectiontimeout", millis);
        properties.setProperty("mail.smtp.timeout", millis);
        properties.setProperty("mail.smtp.writetimeout", millis);
        properties.setProperty("mail.smtp.auth", Boolean.toString(kind.authenticate()));
        properties.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        properties.put("mail.smtp.socketFactory", NoDelaySockets.plain());
        // Used for implicit TLS and for the STARTTLS upgrade alike.
        properties.put("mail.smtp.ssl.socketFactory",
                NoDelaySockets.tls(tls.orElseGet(() -> (SSLSocketFactory) SSLSocketFactory.getDefault())));
        if (kind.implicitTls()) {
            properties.setProperty("mail.smtp.ssl.enable", "true");
        } else {
            properties.setProperty("mail.smtp.starttls.enable", "true");
            properties.setProperty("mail.smtp.starttls.required", Boolean.toString(requireTls));
        }
        return properties;
    }

    /**
     * What a session's settings depend on. Building a Jakarta Mail session scans the class path
     * for mail providers (about 0.3 ms), so sessions are built once per kind, not per reload.
     */
    private record SessionKind(boolean implicitTls, boolean authenticate) {

        static SessionKind of(SmtpConfiguration configuration) {
            return new SessionKind(configuration.implicitTls(), configuration.username().isPresent());
        }
    }
}
