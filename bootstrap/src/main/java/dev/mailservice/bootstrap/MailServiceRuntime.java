package dev.mailservice.bootstrap;

import dev.mailservice.adapters.http.HttpServer;
import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.service.ActiveMailSender;
import dev.mailservice.application.service.ConfigurationFollower;
import dev.mailservice.application.service.SmtpLogins;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The assembled service, started and stopped in order: it applies the stored configuration and
 * starts following it, then opens the HTTP port; on stop, it says it is not ready, serves for the
 * grace period, drains and closes the port (new requests get 503, those under way finish), then
 * stops following, closes the mail sender, stops renewing OAuth 2.0 tokens, and closes the
 * configuration backend's connection.
 */
final class MailServiceRuntime {

    private static final System.Logger LOG = System.getLogger(MailServiceRuntime.class.getName());
    /** The system property naming the file a start that records the start-up cache creates once ready. */
    static final String STARTUP_CACHE_READY = "mailservice.startupCacheReady";

    private final HttpServer http;
    private final ConfigurationFollower follower;
    private final ActiveMailSender sender;
    private final SmtpLogins logins;
    private final GetSmtpStatus smtpStatus;
    private final ConfigRepository repository;
    private final Duration shutdownGrace;
    /** Held while the port opens and while a stop begins: a stop that comes during the start keeps it closed. */
    private final Object lifecycle = new Object();
    /** Whether a stop began; guarded by {@link #lifecycle}. */
    private boolean stopping;

    /** @param shutdownGrace how long to go on serving, not ready any more, before draining */
    MailServiceRuntime(HttpServer http, ConfigurationFollower follower, ActiveMailSender sender, SmtpLogins logins,
            GetSmtpStatus smtpStatus, ConfigRepository repository, Duration shutdownGrace) {
        this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        this.http = Objects.requireNonNull(http, "http");
        this.follower = Objects.requireNonNull(follower, "follower");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.logins = Objects.requireNonNull(logins, "logins");
        this.smtpStatus = Objects.requireNonNull(smtpStatus, "smtpStatus");
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    /**
     * Applies the stored configuration and starts following its changes, then starts listening.
     * A missing, invalid or unreachable configuration does not stop the start: the service runs
     * with nothing active, refuses sends, and applies the configuration once it can. A stop that
     * began meanwhile (a SIGTERM while the backend was waited for) leaves the port unopened.
     *
     * @throws dev.mailservice.adapters.http.ListenFailedException if the port cannot be listened on
     */
    MailServiceRuntime start() {
        follower.start();
        synchronized (lifecycle) {
            if (stopping) {
                return this;
            }
            if (smtpStatus.status().active().isEmpty()) {
                LOG.log(Level.WARNING, "Starting with no SMTP configuration active; mail is refused until one applies");
            }
            http.start();
        }
        if (http.observePort() == http.port()) {
            LOG.log(Level.INFO, "Mail service ready on port {0,number,#}", http.port());
        } else {
            LOG.log(Level.INFO, "Mail service ready on port {0,number,#} (health and metrics on port {1,number,#})",
                    http.port(), http.observePort());
        }
        markStartUpCacheRecordReady();
        return this;
    }

    /**
     * Creates the file {@value #STARTUP_CACHE_READY} names, when it is set: the start scripts set it on
     * a start that records the start-up cache, and keep the record only when this start got ready
     * (bin/java-env). A start that stopped before recorded too few of the service's classes.
     */
    private static void markStartUpCacheRecordReady() {
        String marker = System.getProperty(STARTUP_CACHE_READY);
        if (marker == null) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(marker));
            Files.createFile(Path.of(marker));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "Cannot mark the start-up cache's record as made by a start that got ready: {0}",
                    e.getMessage());
        }
    }

    int port() {
        return http.port();
    }

    int observePort() {
        return http.observePort();
    }

    /**
     * Stops the HTTP server (not ready at once, serving for the grace period, then draining), then
     * following the configuration, then the sender, the OAuth 2.0 tokens (a refresh token given
     * last is stored) and the backend's connection. A step that fails is logged, and the next run
     * all the same.
     */
    void stop() {
        synchronized (lifecycle) {
            stopping = true;
        }
        try {
            closing("the HTTP server", () -> http.stop(shutdownGrace));
            closing("the following of the configuration", follower::close);
            closing("the mail sender", sender::close);
            closing("the OAuth 2.0 tokens", logins::close);
            closing("the configuration backend's connection", repository::close);
            LOG.log(Level.INFO, "Mail service stopped");
        } finally {
            AsyncConsoleHandler.flushAll();
        }
    }

    /** Runs {@code step} of a stop; a failure is logged, not thrown, so that the steps after it run. */
    private static void closing(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Stopping " + what + " failed", e);
        }
    }
}
