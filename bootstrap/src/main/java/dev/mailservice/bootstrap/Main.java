package dev.mailservice.bootstrap;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import dev.mailservice.adapters.config.PipesHubStore;
import dev.mailservice.adapters.http.ListenFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.LogManager;

/**
 * The jar's entry point: runs the {@link Command} its arguments name, {@code serve} when there is
 * none; docs/operations.md describes the commands and the variables.
 */
public final class Main {

    /**
     * Exit status when what the process was given (its environment, its command line, a command's
     * input) does not allow it to do what it was asked.
     */
    static final int EXIT_INVALID_SETTINGS = 2;
    /** Exit status when start-up failed for any other reason: etcd did not answer, the port is taken. */
    static final int EXIT_START_FAILED = 1;

    private Main() {}

    public static void main(String[] args) {
        List<String> words = List.of(args);
        boolean serve = Command.named(words).equals(Optional.of(Command.SERVE));
        if (serve) {
            // First of all: the classes load on the other core while this thread sets up and starts.
            StartupClasses.preload(System.getenv());
        }
        configureJvm();
        int status = Command.execute(words, new Command.Terminal(System.getenv(), System.in, System.out, System.err));
        // A started service runs on threads of its own until it is stopped; any other command is done.
        if (status != 0 || !serve) {
            AsyncConsoleHandler.flushAll();
            System.exit(status);
        }
    }

    /**
     * Starts the service from {@code environment}, leaving it running.
     *
     * @return 0 once it serves, else the exit status, the reason logged
     */
    static int serve(Map<String, String> environment) {
        try {
            // First, so that whatever follows (a refused setting too) is written in the format asked for.
            // A wrong LOG_FORMAT is refused below with the other settings.
            AsyncConsoleHandler.use(LogFormat.read(new Environment(environment)));
            Settings settings = Settings.fromEnvironment(environment);
            // Before the assembly, which may wait for the token secrets in the store: a stop then says so.
            AtomicReference<MailServiceRuntime> assembled = new AtomicReference<>();
            Thread stopping = new Thread(() -> stop(assembled.get()), "mail-service-shutdown");
            Runtime.getRuntime().addShutdownHook(stopping);
            MailServiceRuntime service;
            try {
                service = assemble(settings);
            } catch (RuntimeException cannotAssemble) {
                // Its reason is what the exit says; there is nothing to stop.
                try {
                    Runtime.getRuntime().removeShutdownHook(stopping);
                } catch (IllegalStateException exitUnderWay) {
                    // A SIGTERM came first: the hook says so.
                }
                throw cannotAssemble;
            }
            assembled.set(service);
            service.start();
            return 0;
        } catch (InvalidSettingsException e) {
            return cannotStart(EXIT_INVALID_SETTINGS, e.getMessage());
        } catch (GaveUpWaitingException | ListenFailedException e) {
            return cannotStart(EXIT_START_FAILED, e.getMessage());
        } catch (RuntimeException e) {
            System.getLogger(Main.class.getName()).log(System.Logger.Level.ERROR, "mail-service cannot start", e);
            return EXIT_START_FAILED;
        }
    }

    /**
     * Assembles the service for {@code settings} with Guice: the only place, with
     * {@link #tokenSecrets}, that touches the injector. Nothing is started yet, but the token
     * secrets are resolved, waiting for the backend if they must come from it.
     *
     * @throws InvalidSettingsException if the settings do not allow the service to start
     * @throws GaveUpWaitingException   if the backend did not answer in time for the token secrets
     */
    static MailServiceRuntime assemble(Settings settings) {
        return unwrapped(() -> injector(Stage.PRODUCTION, settings).getInstance(MailServiceRuntime.class));
    }

    /**
     * The token secrets as the service resolves them at start for {@code settings}, for a command
     * that needs them: nothing else of the service is built, and the connection to the backend's
     * store, if it has one, is closed before this returns.
     *
     * @throws InvalidSettingsException if a secret is neither given nor stored, or cannot be read
     * @throws GaveUpWaitingException   if the store did not answer in time
     */
    static TokenSecrets tokenSecrets(Settings settings) {
        return unwrapped(() -> {
            // Lazily: the objects asked for and what they need, nothing more.
            Injector injector = injector(Stage.DEVELOPMENT, settings);
            Optional<PipesHubStore> store = Optional.ofNullable(injector.getExistingBinding(Key.get(PipesHubStore.class)))
                    .map(binding -> binding.getProvider().get());
            try {
                return injector.getInstance(TokenSecrets.class);
            } finally {
                store.ifPresent(PipesHubStore::close);
            }
        });
    }

    private static Injector injector(Stage stage, Settings settings) {
        return Guice.createInjector(stage, new CoreModule(settings), new AdaptersModule(settings),
                BackendModules.of(settings));
    }

    /**
     * {@code injection}'s result; a failure of a provider is handed on as the provider threw it, not
     * in Guice's wrapping (a report of many lines), when it is the only one or one of ours.
     */
    static <T> T unwrapped(Supplier<T> injection) {
        try {
            return injection.get();
        } catch (CreationException | ProvisionException e) {
            Collection<Message> messages = e instanceof CreationException creation ? creation.getErrorMessages()
                    : ((ProvisionException) e).getErrorMessages();
            // Providers report start-up problems with exceptions of ours; hand those on unwrapped.
            for (Message message : messages) {
                if (message.getCause() instanceof InvalidSettingsException
                        || message.getCause() instanceof GaveUpWaitingException) {
                    throw (RuntimeException) message.getCause();
                }
            }
            if (messages.size() == 1 && messages.iterator().next().getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    /** Stops {@code service}, or says that the stop came before it was assembled. */
    private static void stop(MailServiceRuntime service) {
        if (service != null) {
            service.stop();
            return;
        }
        System.getLogger(Main.class.getName()).log(System.Logger.Level.INFO,
                "Mail service stopped before it was assembled (nothing was served)");
        AsyncConsoleHandler.flushAll();
    }

    private static int cannotStart(int status, String reason) {
        System.getLogger(Main.class.getName()).log(System.Logger.Level.ERROR, "mail-service cannot start: {0}", reason);
        return status;
    }

    /** Settings that must be in place before the libraries that read them are loaded. */
    private static void configureJvm() {
        // Log lines written while stopping must not be lost to the JDK resetting the handlers first.
        System.setProperty("java.util.logging.manager", KeepHandlersLogManager.class.getName());
        // Only @Provides methods are used: Guice needs no generated classes, so no sun.misc.Unsafe.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        try (InputStream configuration = Main.class.getResourceAsStream("/logging.properties")) {
            LogManager.getLogManager().readConfiguration(configuration);
        } catch (IOException e) {
            throw new UncheckedIOException("the logging configuration inside the jar is unreadable", e);
        }
        // An operator's file is laid over the jar's, rather than in its place: one that sets levels
        // alone keeps the service's handler (without one, JDK logging writes nothing at all).
        String operatorsFile = System.getProperty("java.util.logging.config.file");
        if (operatorsFile != null) {
            try (InputStream configuration = Files.newInputStream(Path.of(operatorsFile))) {
                LogManager.getLogManager().updateConfiguration(configuration,
                        key -> (inTheJar, inTheFile) -> inTheFile != null ? inTheFile : inTheJar);
            } catch (IOException e) {
                throw new UncheckedIOException("the logging configuration " + operatorsFile + " cannot be read", e);
            }
        }
        // The root logger's handlers are made at their first use, and not at all once the JVM's exit
        // has begun: made now, a stop that comes before the first line still logs.
        java.util.logging.Logger.getLogger("").getHandlers();
        KeepHandlersLogManager.keepHandlersUntilExit();
    }
}
