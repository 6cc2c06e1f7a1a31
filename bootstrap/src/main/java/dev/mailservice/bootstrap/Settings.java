package dev.mailservice.bootstrap;

import dev.mailservice.adapters.http.edge.BodyMemoryBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the service is configured with, read once from the environment at start-up and
 * checked there, so that a bad value stops the service with a message naming the variable
 * instead of failing later. The settings come in groups, one record each, by what they configure;
 * each group documents its variables and reads them. docs/operations.md lists the variables.
 *
 * @param http      how the service serves HTTP, health and metrics, and how a replica stops
 * @param mail      how the service sends mail: its SMTP connections, verification, what a mail may hold
 * @param backend   where the SMTP configuration is stored, and how it is read and followed there
 * @param tokens    the secrets tokens are signed with, as far as the environment gives them
 * @param tlsCaFile {@code TLS_CA_FILE}: a PEM file of certificate authorities that every TLS
 *                  client of the service (SMTP, etcd, Redis) trusts besides the JDK's own
 * @param logFormat {@code LOG_FORMAT}: {@code text} or {@code json}
 */
record Settings(
        HttpSettings http,
        MailSettings mail,
        BackendSettings backend,
        TokenSettings tokens,
        Optional<Path> tlsCaFile,
        LogFormat logFormat) {

    static final String TLS_CA_FILE = "TLS_CA_FILE";
    static final String LOG_FORMAT = "LOG_FORMAT";

    /**
     * The least a stopping replica waits for the requests under way: room for the other routes
     * (a reload or a save over a slow backend, a verification), whatever the send deadline.
     */
    static final Duration MIN_DRAIN = Duration.ofSeconds(20);
    /** Room past a send's deadline for its answer to be written. */
    static final Duration DRAIN_MARGIN = Duration.ofSeconds(2);

    Settings {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(mail, "mail");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(tlsCaFile, "tlsCaFile");
        Objects.requireNonNull(logFormat, "logFormat");
        if (!tokens.complete() && !backend.storeCanTellTokenSecrets()) {
            throw new IllegalArgumentException("without a key-value store the token secrets must be given");
        }
    }

    /**
     * How long a stopping replica waits for the requests under way to finish: as long as a send may
     * take, so that none is cut off after the SMTP server took its mail (its caller would send it
     * again). A send under way may still be waiting for room for its body, and its deadline starts
     * after that: the wait, the deadline and a margin; at least {@link #MIN_DRAIN}.
     */
    Duration drainTimeout() {
        Duration send = BodyMemoryBudget.ADMISSION_WAIT.plus(mail.smtp().sendDeadline()).plus(DRAIN_MARGIN);
        return send.compareTo(MIN_DRAIN) > 0 ? send : MIN_DRAIN;
    }

    /**
     * Reads the settings from {@code variables}, applying the defaults.
     *
     * @throws InvalidSettingsException naming every variable that is missing or wrong
     */
    static Settings fromEnvironment(Map<String, String> variables) {
        Environment environment = new Environment(variables);
        // First: whether the token secrets may be left out depends on the backend. An unknown one,
        // refused, may be meant as a store that holds them (KV_STORE_TYPE mistyped beside PipesHub,
        // say): they are not refused as well.
        Optional<BackendSettings.Kind> kind = BackendSettings.kind(environment);
        BackendSettings backend = BackendSettings.read(environment, kind.orElse(BackendSettings.Kind.FILE));
        HttpSettings http = HttpSettings.read(environment);
        MailSettings mail = MailSettings.read(environment);
        TokenSettings tokens = TokenSettings.read(environment, kind.isEmpty() || backend.storeCanTellTokenSecrets());
        LogFormat logFormat = LogFormat.read(environment);
        Optional<Path> tlsCaFile = Optional.ofNullable(environment.get(TLS_CA_FILE)).filter(value -> !value.isBlank())
                .map(Path::of);
        // Named here with the others when it cannot be read at all; what it holds is read as the service
        // is assembled (TrustedAuthorities).
        tlsCaFile.filter(file -> !Files.isRegularFile(file) || !Files.isReadable(file)).ifPresent(file ->
                environment.refuse(TLS_CA_FILE + " cannot be read: " + file + " is no file this process may read", null));
        environment.throwIfRefused();
        return new Settings(http, mail, backend, tokens, tlsCaFile, logFormat);
    }
}
