package dev.mailservice.domain;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the SMTP server and whom mail comes from. It cannot exist invalid: every way of
 * building one checks the rules below and refuses with an {@link InvalidSmtpConfigurationException}
 * that names the field.
 *
 * <ul>
 *   <li>{@code host}: a DNS name or an IP address, no scheme and no port ({@link HostName});</li>
 *   <li>{@code port}: 1 to 65535; in a document, a JSON number or a string of digits alone;</li>
 *   <li>{@code username}, {@code password}: optional; a username has no control characters. A
 *       password without a username is kept (PipesHub stores such configurations) but cannot be
 *       used: no SMTP AUTH is attempted, and {@link #warnings()} says so;</li>
 *   <li>{@code fromEmail}: an e-mail address, with or without a display name ({@link Mailbox}).</li>
 * </ul>
 *
 * <p>A refusal names the field and what is wrong with it, never the value: a password pasted into
 * the wrong field must not reach an answer or a log line.
 *
 * <p>The field names are those of the wire contract's JSON object, and {@link #fromFields} and
 * {@link #toFields} are the one translation between that object and this value, shared by every
 * adapter that stores or shows a configuration.
 *
 * @param host      SMTP server host name or IP address
 * @param port      SMTP server port
 * @param username  SMTP AUTH user name; empty means no authentication
 * @param password  SMTP AUTH password, used only with a username
 * @param fromEmail the address every mail is sent from
 */
public record SmtpConfiguration(
        String host, int port, Optional<String> username, Optional<Password> password, Mailbox fromEmail) {

    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";
    public static final String FROM_EMAIL = "fromEmail";
    /** Every field of the contract's object; a document's other fields are not this value's. */
    public static final List<String> FIELD_NAMES = List.of(HOST, PORT, USERNAME, PASSWORD, FROM_EMAIL);

    /**
     * Stands for a hidden value: the admin view shows the password this way, and a submitted
     * {@code host}, {@code username}, {@code fromEmail} or {@code password} equal to it means
     * "keep the stored value", so a client can send back what it read.
     */
    public static final String PLACEHOLDER = "****************";

    private static final int MIN_PORT = 1;
    private static final int MAX_PORT = 65_535;

    /** How much of the password {@link #toFields} shows. */
    public enum PasswordDisclosure {
        /** Leave the password out: for every answer a client or a log can see. */
        OMITTED,
        /** Show {@link #PLACEHOLDER} where a password is set: for the admin view. */
        MASKED,
        /** Include the password: only for storage and the internal service-to-service route. */
        REVEALED
    }

    /**
     * @throws InvalidSmtpConfigurationException naming the field that breaks a rule
     */
    public SmtpConfiguration {
        Objects.requireNonNull(username, USERNAME);
        Objects.requireNonNull(password, PASSWORD);
        if (host == null || host.isBlank()) {
            throw new InvalidSmtpConfigurationException(HOST, "host is required and must not be blank");
        }
        if (!HostName.isValid(host)) {
            throw new InvalidSmtpConfigurationException(HOST, "host must be a DNS name (letters, digits, '-', '_' "
                    + "and dots, at most 253 characters) or an IP address, without a scheme or a port");
        }
        if (port < MIN_PORT || port > MAX_PORT) {
            throw portOutOfRange();
        }
        if (username.isPresent() && username.get().isBlank()) {
            throw new InvalidSmtpConfigurationException(USERNAME, "username must not be blank when given");
        }
        if (username.isPresent() && username.get().codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidSmtpConfigurationException(USERNAME, "username must not contain control characters");
        }
        if (fromEmail == null) {
            throw new InvalidSmtpConfigurationException(FROM_EMAIL, "fromEmail is required");
        }
    }

    /**
     * Builds a configuration from plain values, as they come from a form or a stored document.
     * A null or blank {@code username} or {@code password} means "not set".
     *
     * @throws InvalidSmtpConfigurationException naming the field that breaks a rule
     */
    public static SmtpConfiguration of(String host, int port, String username, String password, String fromEmail) {
        return new SmtpConfiguration(
                host,
                port,
                Optional.ofNullable(username).filter(name -> !name.isBlank()),
                Optional.ofNullable(password).filter(secret -> !secret.isBlank()).map(Password::of),
                mailbox(fromEmail));
    }

    /**
     * What an operator should know about this configuration although it is valid, in words they
     * can act on; empty when there is nothing to say.
     */
    public List<String> warnings() {
        return password.isPresent() && username.isEmpty()
                ? List.of("A password is set but no username: SMTP AUTH is not attempted; set a username to log in")
                : List.of();
    }

    /**
     * Builds a configuration from the contract's JSON object, already parsed into a map (string,
     * number, null values). Fields this service does not know are ignored, so a document written
     * by a newer PipesHub still loads. {@code port} may be a JSON number or a string of digits.
     *
     * @throws InvalidSmtpConfigurationException naming the missing or ill-typed field, or the
     *                                           field that breaks a rule
     */
    public static SmtpConfiguration fromFields(Map<String, ?> fields) {
        Objects.requireNonNull(fields, "fields");
        return of(
                requiredString(fields, HOST),
                port(fields.get(PORT)),
                optionalString(fields, USERNAME),
                optionalString(fields, PASSWORD),
                requiredString(fields, FROM_EMAIL));
    }

    /**
     * Builds the configuration a client submits, where {@link #PLACEHOLDER} in {@code host},
     * {@code username}, {@code fromEmail} or {@code password} stands for the stored value.
     *
     * <p>The stored password is kept only for the server and user it belongs to: when the
     * submitted {@code host} or {@code username} (placeholders resolved) differs from the stored
     * one, a placeholder password is refused, so that no one can send the stored password to a
     * server of their choosing by changing the host alone. The port may change.
     *
     * @param submitted the contract's JSON object as the client sent it
     * @param stored    the configuration stored now, if any
     * @throws InvalidSmtpConfigurationException naming the field that breaks a rule, that is the
     *                                           placeholder while nothing is stored for it, or the
     *                                           password kept for another server or user
     */
    public static SmtpConfiguration fromSubmittedFields(Map<String, ?> submitted, Optional<SmtpConfiguration> stored) {
        Map<String, Object> fields = new LinkedHashMap<>(submitted);
        Map<String, Object> kept = stored.map(configuration -> configuration.toFields(PasswordDisclosure.REVEALED))
                .orElse(Map.of());
        for (String field : List.of(HOST, USERNAME, FROM_EMAIL, PASSWORD)) {
            if (PLACEHOLDER.equals(fields.get(field))) {
                if (!kept.containsKey(field)) {
                    throw new InvalidSmtpConfigurationException(field,
                            field + " is the placeholder for the stored value, but no " + field + " is stored");
                }
                fields.put(field, kept.get(field));
            }
        }
        SmtpConfiguration submittedConfiguration = fromFields(fields);
        if (PLACEHOLDER.equals(submitted.get(PASSWORD))) {
            SmtpConfiguration current = stored.orElseThrow();
            if (!current.host().equals(submittedConfiguration.host())
                    || !current.username().equals(submittedConfiguration.username())) {
                throw new InvalidSmtpConfigurationException(PASSWORD, "password must be given again: the stored "
                        + "password is kept only while host and username stay the same");
            }
        }
        return submittedConfiguration;
    }

    /**
     * This configuration as the contract's JSON object, fields in the contract's order
     * ({@code host, port, username, password, fromEmail}); {@code username} is left out when
     * there is none, {@code password} when there is none or when {@code disclosure} says so.
     */
    public Map<String, Object> toFields(PasswordDisclosure disclosure) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(HOST, host);
        fields.put(PORT, port);
        username.ifPresent(name -> fields.put(USERNAME, name));
        switch (disclosure) {
            case OMITTED -> { }
            case MASKED -> password.ifPresent(secret -> fields.put(PASSWORD, PLACEHOLDER));
            case REVEALED -> password.ifPresent(secret -> fields.put(PASSWORD, secret.reveal()));
        }
        fields.put(FROM_EMAIL, fromEmail.value());
        return fields;
    }

    /** The host as the DNS and the server's certificate name it (an international name in punycode). */
    public String asciiHost() {
        return HostName.ascii(host);
    }

    /** {@code host:port}, for log lines and messages. */
    public String address() {
        return host + ":" + port;
    }

    private static Mailbox mailbox(String value) {
        try {
            return Mailbox.parse(value);
        } catch (IllegalArgumentException e) {
            // The address's own message quotes the value; this one must not.
            throw new InvalidSmtpConfigurationException(FROM_EMAIL, FROM_EMAIL
                    + " must be an e-mail address like name@example.com, or Name <name@example.com>");
        }
    }

    private static String requiredString(Map<String, ?> fields, String field) {
        String value = optionalString(fields, field);
        if (value == null) {
            throw new InvalidSmtpConfigurationException(field, field + " is required");
        }
        return value;
    }

    private static String optionalString(Map<String, ?> fields, String field) {
        Object value = fields.get(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        // The value itself is not quoted: the field may be the password.
        throw new InvalidSmtpConfigurationException(field, field + " must be a string");
    }

    private static int port(Object value) {
        if (value == null) {
            throw new InvalidSmtpConfigurationException(PORT, "port is required");
        }
        BigInteger number = switch (value) {
            case Integer i -> BigInteger.valueOf(i);
            case Long l -> BigInteger.valueOf(l);
            case BigInteger b -> b;
            case String s when s.matches("[0-9]{1,10}") -> new BigInteger(s);
            default -> throw new InvalidSmtpConfigurationException(
                    PORT, "port must be a whole number: a JSON number or a string of digits alone");
        };
        if (number.bitLength() >= Integer.SIZE) {
            throw portOutOfRange();
        }
        return number.intValue();
    }

    private static InvalidSmtpConfigurationException portOutOfRange() {
        return new InvalidSmtpConfigurationException(PORT, "port must be between " + MIN_PORT + " and " + MAX_PORT);
    }
}
