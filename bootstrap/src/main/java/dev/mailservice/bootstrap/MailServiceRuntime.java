package dev.mailservice.bootstrap;

import dev.mailservice.adapters.http.HttpServer;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.service.ActiveMailSender;
import dev.mailservice.application.service.ConfigurationFollower;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * The assembled service, started and stopped in order: it applies the stored configuration and
 * starts following it, then opens the HTTP port; on stop, it drains and closes the port first (new
 * requests get 503, those under way finish), then stops following, closes the mail sender, and
 * closes the configuration backend's connection.
 */
final class MailServiceRuntime {

    private static final System.Logger LOG = System.getLogger(MailServiceRuntime.class.getName());

    private final HttpServer http;
    private final ConfigurationFollower follower;
    private final ActiveMailSender sender;
    private final ConfigRepository repository;

    MailServiceRuntime(HttpServer http, ConfigurationFollower follower, ActiveMailSender sender,
            ConfigRepository repository) {
        this.http = Objects.requireNonNull(http, "http");
        this.follower = Objects.requireNonNull(follower, "follower");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    /**
     * Applies the stored configuration and starts following its changes, then starts listening.
     * A missing, invalid or unreachable configuration does not stop the start: the service runs
     * with nothing active, refuses sends, and applies the configuration once it can.
     *
     * @throws dev.mailservice.adapters.http.ListenFailedException if the port cannot be listened on
     */
    MailServiceRuntime start() {
        follower.start();
        if (sender.status().active().isEmpty()) {
            LOG.log(Level.WARNING, "Starting with no SMTP configuration active; mail is refused until one applies");
        }
        http.start();
        LOG.log(Level.INFO, "Mail service ready on port {0,number,#}", http.port());
        return this;
    }

    int port() {
        return http.port();
    }

    /** Stops the HTTP server, then following the configuration, then the sender and the backend's connection. */
    void stop() {
        http.stop();
        follower.close();
        sender.close();
        repository.close();
        LOG.log(Level.INFO, "Mail service stopped");
        AsyncConsoleHandler.flushAll();
    }
}
