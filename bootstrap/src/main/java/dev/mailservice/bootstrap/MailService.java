package dev.mailservice.bootstrap;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import com.google.inject.spi.Message;
import dev.mailservice.adapters.config.EtcdStore;
import dev.mailservice.adapters.http.MailHttpServer;
import dev.mailservice.application.service.ActiveMailSender;
import dev.mailservice.application.service.ConfigurationFollower;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * The assembled service: applies the stored configuration and starts following it, then opens
 * the HTTP port; on stop, drains and closes the port first (new requests get 503, those under way
 * finish), then stops everything behind it.
 */
final class MailService {

    private static final System.Logger LOG = System.getLogger(MailService.class.getName());

    private final Injector injector;
    private final MailHttpServer http;

    private MailService(Injector injector) {
        this.injector = injector;
        this.http = injector.getInstance(MailHttpServer.class);
    }

    /**
     * Assembles the service for {@code settings}; nothing is started yet, but the token secrets
     * are resolved, waiting for etcd if they must come from it.
     *
     * @throws InvalidSettingsException if the settings do not allow the service to start
     * @throws GaveUpWaitingException   if etcd did not answer in time for the token secrets
     */
    static MailService assemble(Settings settings) {
        try {
            return new MailService(Guice.createInjector(Stage.PRODUCTION, new CoreModule(settings),
                    new AdaptersModule(settings)));
        } catch (CreationException e) {
            // Providers report start-up problems with exceptions of ours; hand those on unwrapped.
            for (Message message : e.getErrorMessages()) {
                if (message.getCause() instanceof InvalidSettingsException
                        || message.getCause() instanceof GaveUpWaitingException) {
                    throw (RuntimeException) message.getCause();
                }
            }
            throw e;
        }
    }

    /** The instance of {@code type} this service runs with, for tests. */
    <T> T component(Class<T> type) {
        return injector.getInstance(type);
    }

    /**
     * Applies the stored configuration and starts following its changes, then starts listening.
     * A missing, invalid or unreachable configuration does not stop the start: the service runs
     * with nothing active, refuses sends, and applies the configuration once it can.
     */
    MailService start() {
        injector.getInstance(ConfigurationFollower.class).start();
        if (injector.getInstance(ActiveMailSender.class).status().active().isEmpty()) {
            LOG.log(Level.WARNING, "Starting with no SMTP configuration active; mail is refused until one applies");
        }
        http.start();
        LOG.log(Level.INFO, "Mail service ready on port {0,number,#}", http.port());
        return this;
    }

    int port() {
        return http.port();
    }

    /** Stops the HTTP server, then following the configuration, then the sender and etcd. */
    void stop() {
        http.stop();
        injector.getInstance(ConfigurationFollower.class).close();
        injector.getInstance(ActiveMailSender.class).close();
        injector.getInstance(Key.get(new TypeLiteral<Optional<EtcdStore>>() {})).ifPresent(EtcdStore::close);
        LOG.log(Level.INFO, "Mail service stopped");
        AsyncConsoleHandler.flushAll();
    }
}
