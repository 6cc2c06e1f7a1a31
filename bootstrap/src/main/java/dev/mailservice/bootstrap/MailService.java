package dev.mailservice.bootstrap;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.mailservice.adapters.http.MailHttpServer;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.service.ActiveMailSender;
import java.lang.System.Logger.Level;

/**
 * The assembled service: applies the stored configuration, then opens the HTTP port; on stop,
 * closes the port first (letting requests under way finish), then the mail sender.
 */
final class MailService {

    private static final System.Logger LOG = System.getLogger(MailService.class.getName());

    private final Injector injector;
    private final MailHttpServer http;

    private MailService(Injector injector) {
        this.injector = injector;
        this.http = injector.getInstance(MailHttpServer.class);
    }

    /** Assembles the service for {@code settings}; nothing is started yet. */
    static MailService assemble(Settings settings) {
        return new MailService(Guice.createInjector(Stage.PRODUCTION, new CoreModule(), new AdaptersModule(settings)));
    }

    /** The instance of {@code type} this service runs with, for tests. */
    <T> T component(Class<T> type) {
        return injector.getInstance(type);
    }

    /**
     * Applies the stored configuration through the reload use case and starts listening. A
     * missing or invalid configuration does not stop the start: the service runs with nothing
     * active and refuses sends until a reload succeeds.
     */
    MailService start() {
        try {
            injector.getInstance(ReloadSmtpConfiguration.class).reload();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Starting with no SMTP configuration active; mail is refused until a reload succeeds");
        }
        http.start();
        LOG.log(Level.INFO, "Mail service ready on port {0,number,#}", http.port());
        return this;
    }

    int port() {
        return http.port();
    }

    /** Stops the HTTP server, then retires the mail sender once its sends have finished. */
    void stop() {
        http.stop();
        injector.getInstance(ActiveMailSender.class).close();
        LOG.log(Level.INFO, "Mail service stopped");
    }
}
