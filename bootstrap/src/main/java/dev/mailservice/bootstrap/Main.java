package dev.mailservice.bootstrap;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.http.ListenFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.logging.LogManager;

/** Starts the service from the environment; see the README for the variables. */
public final class Main {

    /** Exit status when the environment does not allow the service to start. */
    static final int EXIT_INVALID_SETTINGS = 2;
    /** Exit status when start-up failed for any other reason: etcd did not answer, the port is taken. */
    static final int EXIT_START_FAILED = 1;

    private Main() {}

    public static void main(String[] args) {
        if (args.length == 1 && "encrypt".equals(args[0])) {
            encrypt();
            return;
        }
        if (args.length >= 1 && "console-link".equals(args[0])) {
            try {
                System.out.println(ConsoleLink.of(List.of(args).subList(1, args.length), System.getenv(), Instant.now()));
            } catch (InvalidSettingsException e) {
                System.err.println(e.getMessage());
                System.exit(EXIT_INVALID_SETTINGS);
            }
            return;
        }
        configureJvm();
        try {
            // First, so that whatever follows (a refused setting too) is written in the format asked for.
            AsyncConsoleHandler.use(LogFormat.of(System.getenv(Settings.LOG_FORMAT)));
            Settings settings = Settings.fromEnvironment(System.getenv());
            MailServiceRuntime service = assemble(settings);
            Runtime.getRuntime().addShutdownHook(new Thread(service::stop, "mail-service-shutdown"));
            service.start();
        } catch (InvalidSettingsException e) {
            exit(EXIT_INVALID_SETTINGS, e.getMessage());
        } catch (GaveUpWaitingException | ListenFailedException e) {
            exit(EXIT_START_FAILED, e.getMessage());
        } catch (RuntimeException e) {
            System.getLogger(Main.class.getName()).log(System.Logger.Level.ERROR, "mail-service cannot start", e);
            AsyncConsoleHandler.flushAll();
            System.exit(EXIT_START_FAILED);
        }
    }

    /**
     * Assembles the service for {@code settings} with Guice: the only place that touches the
     * injector. Nothing is started yet, but the token secrets are resolved, waiting for the
     * backend if they must come from it.
     *
     * @throws InvalidSettingsException if the settings do not allow the service to start
     * @throws GaveUpWaitingException   if the backend did not answer in time for the token secrets
     */
    static MailServiceRuntime assemble(Settings settings) {
        try {
            return Guice.createInjector(Stage.PRODUCTION, new CoreModule(settings), new AdaptersModule(settings),
                    BackendModules.of(settings)).getInstance(MailServiceRuntime.class);
        } catch (CreationException | ProvisionException e) {
            // Providers report start-up problems with exceptions of ours; hand those on unwrapped.
            for (Message message : e instanceof CreationException creation ? creation.getErrorMessages()
                    : ((ProvisionException) e).getErrorMessages()) {
                if (message.getCause() instanceof InvalidSettingsException
                        || message.getCause() instanceof GaveUpWaitingException) {
                    throw (RuntimeException) message.getCause();
                }
            }
            throw e;
        }
    }

    /**
     * {@code java -jar mail-service.jar encrypt}: encrypts standard input as PipesHub stores its
     * values (etcd, Redis) under {@code SECRET_KEY}, and prints the stored form, for an operator
     * storing a configuration by hand.
     */
    private static void encrypt() {
        String secretKey = System.getenv(BackendSettings.SECRET_KEY);
        if (secretKey == null || secretKey.isEmpty()) {
            System.err.println("encrypt: set " + BackendSettings.SECRET_KEY + " to the key the values are encrypted with");
            System.exit(EXIT_INVALID_SETTINGS);
        }
        try {
            String value = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            System.out.println(new AesGcmCipher(secretKey).encrypt(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void exit(int status, String reason) {
        System.getLogger(Main.class.getName()).log(System.Logger.Level.ERROR, "mail-service cannot start: {0}", reason);
        AsyncConsoleHandler.flushAll();
        System.exit(status);
    }

    /** Settings that must be in place before the libraries that read them are loaded. */
    private static void configureJvm() {
        // Log lines written while stopping must not be lost to the JDK resetting the handlers first.
        System.setProperty("java.util.logging.manager", KeepHandlersLogManager.class.getName());
        // Only @Provides methods are used: Guice needs no generated classes, so no sun.misc.Unsafe.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        if (System.getProperty("java.util.logging.config.file") == null) {
            try (InputStream configuration = Main.class.getResourceAsStream("/logging.properties")) {
                LogManager.getLogManager().readConfiguration(configuration);
            } catch (IOException e) {
                throw new UncheckedIOException("the logging configuration inside the jar is unreadable", e);
            }
        }
        KeepHandlersLogManager.keepHandlersUntilExit();
    }
}
