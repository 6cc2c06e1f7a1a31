package dev.mailservice.testkit;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.smtp.SmtpConnection;
import com.icegreen.greenmail.smtp.SmtpHandler;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.smtp.auth.XOAuth2AuthenticationState;
import com.icegreen.greenmail.smtp.commands.SmtpCommand;
import com.icegreen.greenmail.smtp.commands.SmtpCommandRegistry;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.SaslXoauth2Message;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * A real SMTP server on a free loopback port (GreenMail) that takes a login only with an OAuth 2.0
 * access token (SASL XOAUTH2), as Microsoft's and Google's do: for its one user, and only a token
 * that the test's predicate accepts when the login comes (a set of valid tokens, or a JWT checked
 * against an OAuth 2.0 server's keys). It may also offer PLAIN and LOGIN, which it always refuses,
 * so that a test sees which mechanism a client chose, unless told to take a password too. Mail is
 * taken only after a login.
 *
 * <p>Plain text, or TLS from the first byte on a certificate the test made ({@link
 * TestCertificates}); GreenMail's SMTP has no STARTTLS. It counts the logins it took and refused,
 * notes the mechanism of each AUTH, and keeps the mails it took.
 */
public final class XOAuth2SmtpServer implements AutoCloseable {

    /** What a server offers unless told otherwise. */
    public static final List<String> DEFAULT_MECHANISMS = List.of("PLAIN", "LOGIN", "XOAUTH2");
    /** The refusal GreenMail itself gives a login. */
    public static final String REFUSAL = "535 5.7.8  Authentication credentials invalid";
    /** The JSON of a Gmail-style error challenge, sent in base64 after 334. */
    public static final String CHALLENGE_JSON =
            "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";

    private final String user;
    private volatile Predicate<String> tokens;
    private final Options options;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> mechanismsTried = new CopyOnWriteArrayList<>();
    private final TokenGreenMail mail;
    /** GreenMail's SMTP or SMTPS service: set as GreenMail starts it. */
    private volatile TokenSmtpServer smtp;

    private XOAuth2SmtpServer(String user, Predicate<String> tokens, Options options) {
        this.user = Objects.requireNonNull(user, "user");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.options = options;
        this.mail = new TokenGreenMail(this);
        mail.start();
    }

    /** A plain-text server on 127.0.0.1 and a free port offering {@link #DEFAULT_MECHANISMS}, started. */
    public static XOAuth2SmtpServer start(String user, Predicate<String> tokens) {
        return start(user, tokens, options -> {});
    }

    /**
     * A server on 127.0.0.1 and a free port, set up by {@code setUp}, started.
     *
     * @param user   the one user who may log in: the mailbox the tokens are for
     * @param tokens accepts the access tokens that log {@code user} in, asked at each login
     */
    public static XOAuth2SmtpServer start(String user, Predicate<String> tokens, Setup setUp) {
        Options options = new Options();
        setUp.apply(options);
        return new XOAuth2SmtpServer(user, tokens, options);
    }

    /** The port it listens on. */
    public int port() {
        return smtp.getPort();
    }

    /** The one user who may log in. */
    public String user() {
        return user;
    }

    /** From now on, logs in with the tokens {@code tokens} accepts (a token revoked, a new one issued). */
    public void accept(Predicate<String> tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /** How many logins it took. */
    public int loginsAccepted() {
        return accepted.get();
    }

    /** How many logins it refused, whatever their mechanism. */
    public int loginsRefused() {
        return refused.get();
    }

    /** How many connections it accepted. */
    public int connections() {
        return connections.get();
    }

    /** The mechanism each AUTH command named, in order, as the client spelled it in capitals. */
    public List<String> mechanismsTried() {
        return List.copyOf(mechanismsTried);
    }

    /** The mails it took, one for each recipient. */
    public List<MimeMessage> messages() {
        return List.of(mail.getReceivedMessages());
    }

    @Override
    public void close() {
        mail.stop();
    }

    /** How a test sets the server up. */
    @FunctionalInterface
    public interface Setup {
        void apply(Options options);
    }

    /** The server's options. */
    public static final class Options {

        private Optional<SSLContext> implicitTls = Optional.empty();
        private List<String> offered = DEFAULT_MECHANISMS;
        private boolean echoesRefused;
        private boolean challenges;
        private boolean refusesWithoutACode;
        private Optional<String> password = Optional.empty();

        private Options() {}

        /**
         * Also logs its user in with {@code password} over PLAIN (when offered), so that a password
         * login and a token login can be compared on one server.
         */
        public Options acceptingPassword(String userPassword) {
            password = Optional.of(userPassword);
            return this;
        }

        /** Speaks TLS from the first byte with {@code tls}'s certificate. */
        public Options implicitTls(SSLContext tls) {
            implicitTls = Optional.of(tls);
            return this;
        }

        /** Offers these mechanisms in its EHLO reply, and refuses any other (504); none for no AUTH at all. */
        public Options offering(String... mechanisms) {
            offered = List.of(mechanisms);
            return this;
        }

        /** Refuses a token by quoting it, and the client's whole initial response, in its 535 reply. */
        public Options echoingRefusals() {
            echoesRefused = true;
            return this;
        }

        /** Refuses a token with a reply without a code, as a broken server or proxy may. */
        public Options refusingWithoutACode() {
            refusesWithoutACode = true;
            return this;
        }

        /**
         * Refuses a token as Gmail does: an error challenge ({@code 334} and {@link #CHALLENGE_JSON}
         * in base64), then 535 once the client answers it.
         */
        public Options challengingRefusals() {
            challenges = true;
            return this;
        }
    }

    /** The AUTH command: XOAUTH2 checked against the predicate, every other mechanism offered refused. */
    private void auth(SmtpConnection connection, SmtpState state, String line) throws IOException {
        String[] words = line.strip().split("\\s+");
        String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
        mechanismsTried.add(mechanism);
        if (connection.isAuthenticated()) {
            connection.send("503 5.5.1 Already authenticated");
        } else if (!options.offered.contains(mechanism)) {
            connection.send("504 5.5.4 Unrecognized authentication type");
        } else if ("PLAIN".equals(mechanism) && options.password.isPresent()) {
            plain(connection, words.length > 2 ? words[2] : null);
        } else if (!"XOAUTH2".equals(mechanism)) {
            refused.incrementAndGet();
            connection.send(REFUSAL);
        } else {
            xoauth2(connection, state, words.length > 2 ? words[2] : null);
        }
    }

    /** The client's response to an empty challenge, for a mechanism given without one; null when it hung up. */
    private static String askForResponse(SmtpConnection connection) throws IOException {
        connection.send("334 ");
        return connection.readLine();
    }

    /** PLAIN (RFC 4616): {@code [authzid] NUL user NUL password}, in base64, given at once or after 334. */
    private void plain(SmtpConnection connection, String initialResponse) throws IOException {
        String response = initialResponse != null ? initialResponse : askForResponse(connection);
        if (response == null) {
            return;
        }
        String[] parts;
        try {
            parts = new String(Base64.getDecoder().decode(response.strip()), StandardCharsets.UTF_8).split("\0", -1);
        } catch (IllegalArgumentException malformed) {
            parts = new String[0];
        }
        if (parts.length == 3 && user.equals(parts[1]) && options.password.get().equals(parts[2])) {
            accepted.incrementAndGet();
            connection.setAuthenticated(true);
            connection.send("235 2.7.0 Authentication successful");
        } else {
            refused.incrementAndGet();
            connection.send(REFUSAL);
        }
    }

    private void xoauth2(SmtpConnection connection, SmtpState state, String initialResponse) throws IOException {
        String response = initialResponse != null ? initialResponse : askForResponse(connection);
        if (response == null) {
            return;
        }
        SaslXoauth2Message login;
        try {
            login = SaslXoauth2Message.parseBase64Encoded(response.strip());
        } catch (IllegalArgumentException malformed) {
            refused.incrementAndGet();
            connection.send("501 5.5.2 Malformed XOAUTH2 response");
            return;
        }
        if (user.equals(login.getUsername()) && tokens.test(login.getAccessToken())) {
            accepted.incrementAndGet();
            state.getMessage().setAuthenticationState(new XOAuth2AuthenticationState(login));
            connection.setAuthenticated(true);
            connection.send("235 2.7.0 Authentication successful");
            return;
        }
        refused.incrementAndGet();
        if (options.challenges) {
            connection.send("334 " + Base64.getEncoder().encodeToString(
                    CHALLENGE_JSON.getBytes(StandardCharsets.UTF_8)));
            if (connection.readLine() == null) {
                return;
            }
        }
        connection.send(options.refusesWithoutACode ? "Authentication failed"
                : options.echoesRefused ? "535 5.7.8 The access token " + login.getAccessToken() + " of "
                + login.getUsername() + " is not valid (you sent " + response.strip() + ")" : REFUSAL);
    }

    /** EHLO and HELO as GreenMail answers them, with the AUTH line of the mechanisms offered. */
    private void hello(SmtpConnection connection, SmtpState state, String line) {
        connection.setHeloName(line.length() > 5 ? line.substring(5).strip() : "");
        state.clearMessage();
        if (!line.toUpperCase(Locale.ROOT).startsWith("EHLO")) {
            connection.send("250 " + connection.getServerGreetingsName());
            return;
        }
        connection.send("250-" + connection.getServerGreetingsName());
        if (!options.offered.isEmpty()) {
            connection.send("250-AUTH " + String.join(" ", options.offered));
        }
        connection.send("250 SMTPUTF8");
    }

    /** GreenMail's commands, with the ones above, and MAIL only after a login. */
    private final class Commands extends SmtpCommandRegistry {

        @Override
        public SmtpCommand getCommand(String name) {
            SmtpCommand standard = super.getCommand(name);
            return switch (name) {
                case "AUTH" -> command((connection, state, manager, line) -> auth(connection, state, line));
                case "EHLO", "HELO" -> command((connection, state, manager, line) -> hello(connection, state, line));
                case "MAIL" -> command((connection, state, manager, line) -> {
                    if (connection.isAuthenticated()) {
                        standard.execute(connection, state, manager, line);
                    } else {
                        connection.send("530 5.7.0 Authentication required");
                    }
                });
                default -> standard;
            };
        }
    }

    @FunctionalInterface
    private interface Command {
        void execute(SmtpConnection connection, SmtpState state, SmtpManager manager, String line) throws IOException;
    }

    private static SmtpCommand command(Command body) {
        return new SmtpCommand() {
            @Override
            public void execute(SmtpConnection connection, SmtpState state, SmtpManager manager, String line)
                    throws IOException {
                body.execute(connection, state, manager, line);
            }
        };
    }

    /** GreenMail with one SMTP server of this kind. */
    private static final class TokenGreenMail extends GreenMail {

        /** Null while GreenMail's constructor builds its services (not started); set for {@link #start()}. */
        private final XOAuth2SmtpServer owner;

        TokenGreenMail(XOAuth2SmtpServer owner) {
            super(new ServerSetup(0, "127.0.0.1", owner.options.implicitTls.isPresent()
                    ? ServerSetup.PROTOCOL_SMTPS : ServerSetup.PROTOCOL_SMTP));
            this.owner = owner;
        }

        @Override
        protected Map<String, AbstractServer> createServices(ServerSetup[] setups, Managers managers) {
            if (owner == null) {
                return Map.of();
            }
            owner.smtp = owner.new TokenSmtpServer(setups[0], managers);
            return Map.of(setups[0].getProtocol(), owner.smtp);
        }
    }

    /** GreenMail's SMTP server with the commands above, over this server's TLS when it has one. */
    private final class TokenSmtpServer extends SmtpServer {

        TokenSmtpServer(ServerSetup setup, Managers managers) {
            super(setup, managers);
        }

        @Override
        protected ProtocolHandler createProtocolHandler(Socket socket) {
            connections.incrementAndGet();
            return new SmtpHandler(new Commands(), managers.getSmtpManager(), socket);
        }

        @Override
        protected ServerSocket openServerSocket() throws IOException {
            ServerSocket socket = options.implicitTls.isPresent()
                    ? options.implicitTls.get().getServerSocketFactory().createServerSocket() : new ServerSocket();
            try {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(bindTo, setup.getPort()));
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            setup = setup.port(socket.getLocalPort());
            return socket;
        }
    }
}
