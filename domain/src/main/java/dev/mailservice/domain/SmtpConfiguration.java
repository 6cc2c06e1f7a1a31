package dev.mailservice.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the SMTP server and whom mail comes from. It cannot exist invalid: every way of
 * building one checks the rules below and refuses with an {@link InvalidSmtpConfigurationException}
 * that names the field.
 *
 * <ul>
 *   <li>{@code host}: a DNS name or an IP address, no scheme and no port ({@link HostName});</li>
 *   <li>{@code port}: 1 to 65535;</li>
 *   <li>{@code username}, {@code password}: optional; a username has no control characters. A
 *       password without a username is kept (PipesHub stores such configurations) but cannot be
 *       used: no SMTP AUTH is attempted, and {@link #warnings()} says so;</li>
 *   <li>{@code fromEmail}: an e-mail address, with or without a display name ({@link Mailbox});</li>
 *   <li>{@code secure}: whether the server speaks TLS from the first byte (implicit TLS), as
 *       PipesHub's mail library names it; port 465 always does ({@link #implicitTls()});</li>
 *   <li>{@code oauth2}: optional; with it, the login is SASL XOAUTH2 with an access token got as it
 *       says ({@link OAuth2Login}), for {@code username}, which it requires: the mailbox that sends.
 *       A password stored beside it is kept but not used, and {@link #warnings()} says so.</li>
 * </ul>
 *
 * <p>A refusal names the field and what is wrong with it, never the value: a password pasted into
 * the wrong field must not reach an answer or a log line.
 *
 * <p>How a configuration is written on the wire or in a store is the adapters' business; refusals
 * name fields by the names of this record's components.
 *
 * @param host      SMTP server host name or IP address
 * @param port      SMTP server port
 * @param username  SMTP AUTH user name; empty means no authentication
 * @param password  SMTP AUTH password, used only with a username
 * @param fromEmail the address every mail is sent from
 * @param secure    whether to speak TLS from the first byte on any port, not only on 465
 * @param oauth2    how to log in with OAuth 2.0 instead of the password; empty for a password login
 */
public record SmtpConfiguration(
        String host, int port, Optional<String> username, Optional<Password> password, Mailbox fromEmail,
        boolean secure, Optional<OAuth2Login> oauth2) {

    /** The fields' names, as refusals name them. */
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";
    public static final String FROM_EMAIL = "fromEmail";
    public static final String SECURE = "secure";

    /** The port on which SMTP runs inside TLS from the start (RFC 8314). */
    public static final int IMPLICIT_TLS_PORT = 465;

    private static final int MIN_PORT = 1;
    private static final int MAX_PORT = 65_535;

    /**
     * @throws InvalidSmtpConfigurationException naming the field that breaks a rule
     */
    public SmtpConfiguration {
        Objects.requireNonNull(username, USERNAME);
        Objects.requireNonNull(password, PASSWORD);
        Objects.requireNonNull(oauth2, OAuth2Login.FIELD);
        if (host == null || host.isBlank()) {
            throw new InvalidSmtpConfigurationException(HOST, "is required and must not be blank");
        }
        if (!HostName.isValid(host)) {
            throw new InvalidSmtpConfigurationException(HOST, "must be a DNS name (letters, digits, '-', '_' "
                    + "and dots, at most 253 characters) or an IP address, without a scheme or a port");
        }
        if (port < MIN_PORT || port > MAX_PORT) {
            throw portOutOfRange();
        }
        if (username.isPresent() && username.get().isBlank()) {
            throw new InvalidSmtpConfigurationException(USERNAME, "must not be blank when given");
        }
        if (username.isPresent() && username.get().codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidSmtpConfigurationException(USERNAME, "must not contain control characters");
        }
        if (fromEmail == null) {
            throw new InvalidSmtpConfigurationException(FROM_EMAIL, "is required");
        }
        if (oauth2.isPresent() && username.isEmpty()) {
            throw new InvalidSmtpConfigurationException(USERNAME,
                    "is required with oauth2: it is the mailbox that sends, which the token is for");
        }
    }

    /**
     * Builds a configuration from plain values, as they come from a form or a stored document.
     * A null or blank {@code username} or {@code password} means "not set"; a null {@code host} or
     * {@code fromEmail} is refused as missing.
     *
     * @throws InvalidSmtpConfigurationException naming the field that breaks a rule
     */
    public static SmtpConfiguration of(String host, int port, String username, String password, String fromEmail,
            boolean secure) {
        return new SmtpConfiguration(
                host,
                port,
                Optional.ofNullable(username).filter(name -> !name.isBlank()),
                Optional.ofNullable(password).filter(secret -> !secret.isBlank()).map(Password::of),
                mailbox(fromEmail),
                secure,
                Optional.empty());
    }

    /** This configuration logging in as {@code login} says, or with its password when empty. */
    public SmtpConfiguration withOAuth2(Optional<OAuth2Login> login) {
        return new SmtpConfiguration(host, port, username, password, fromEmail, secure, login);
    }

    /**
     * Whether {@code other} is this configuration but for the refresh token of its OAuth 2.0 login:
     * the same server, mailbox and login, its refresh token replaced as the endpoint gave a new one.
     */
    public boolean differsOnlyInRefreshToken(SmtpConfiguration other) {
        return other != null && !equals(other) && oauth2.isPresent() && other.oauth2.isPresent()
                && oauth2.get() instanceof OAuth2Login.RefreshToken login && login.sameButRefreshToken(other.oauth2.get())
                && withOAuth2(other.oauth2).equals(other);
    }

    /** Whether the login is SMTP AUTH at all: with a username and a password, or with OAuth 2.0. */
    public boolean logsIn() {
        return username.isPresent() && (password.isPresent() || oauth2.isPresent());
    }

    /**
     * Whether the connection is TLS from the first byte: on port 465, or wherever {@code secure}
     * says so. Elsewhere it starts in plain text and upgrades with STARTTLS.
     */
    public boolean implicitTls() {
        return secure || port == IMPLICIT_TLS_PORT;
    }

    /**
     * What an operator should know about this configuration although it is valid, in words they
     * can act on; empty when there is nothing to say.
     */
    public List<String> warnings() {
        if (password.isPresent() && oauth2.isPresent()) {
            return List.of("A password is stored but not used: the login is OAuth 2.0 (oauth2); it is kept as stored");
        }
        if (password.isPresent() && username.isEmpty()) {
            return List.of("A password is set but no username: SMTP AUTH is not attempted; set a username to log in");
        }
        return username.isPresent() && !logsIn()
                ? List.of("A username is set but no password: every send is refused; set the password (or oauth2), "
                        + "or remove the username to send without a login")
                : List.of();
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
        if (value == null) {
            throw new InvalidSmtpConfigurationException(FROM_EMAIL, "is required");
        }
        try {
            return Mailbox.parse(value);
        } catch (IllegalArgumentException e) {
            // The address's own message quotes the value; this one must not.
            throw new InvalidSmtpConfigurationException(FROM_EMAIL,
                    "must be an e-mail address like name@example.com, or Name <name@example.com>");
        }
    }

    private static InvalidSmtpConfigurationException portOutOfRange() {
        return new InvalidSmtpConfigurationException(PORT, "must be between " + MIN_PORT + " and " + MAX_PORT);
    }
}
