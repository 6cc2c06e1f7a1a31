package dev.mailservice.testkit;

import dev.mailservice.testkit.SmtpScenario.Farewell;
import dev.mailservice.testkit.SmtpScenario.Greeting;
import dev.mailservice.testkit.SmtpScenario.Moment;
import dev.mailservice.testkit.SmtpScenario.Pause;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP server on a free loopback port that misbehaves as an {@link SmtpScenario} says: the everyday
 * ways of providers and relays (closing idle connections, limiting mails per connection, refusing
 * for a while with {@code 421} or {@code 4xx}, limiting recipients) and the broken or hostile ones
 * (greetings and replies that never end or trickle, a reset after the end-of-data dot). Otherwise it
 * is a plain submission server: EHLO, STARTTLS and AUTH PLAIN or LOGIN when asked for, MAIL, RCPT,
 * DATA, RSET, NOOP, QUIT. It keeps every mail it accepted, so that a test counts the copies of each.
 *
 * <p>Written out here because the servers a test can start (GreenMail, SubEthaSMTP) keep to the
 * protocol: none can be told to close a connection after its third mail, to answer a reply line
 * that never ends, or to take a mail and reset the connection before acknowledging it.
 */
public final class FaultSmtpServer implements AutoCloseable {

    /** The server's name in its greeting and replies. */
    public static final String HOST_NAME = "faults.smtp.test";
    /** The most a mail may hold; more is refused with 552. */
    private static final int MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
    /** The most a command line may hold; longer is refused with 500 and the connection closed. */
    private static final int MAX_LINE_BYTES = 64 * 1024;

    private final SmtpScenario scenario;
    private final InetSocketAddress address;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger mails = new AtomicInteger();
    private final AtomicInteger recipients = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger conversations = new AtomicInteger();
    private final Map<String, AtomicInteger> commands = new ConcurrentHashMap<>();
    private volatile ServerSocket listener;
    private volatile boolean closed;

    private FaultSmtpServer(SmtpScenario scenario) throws IOException {
        this.scenario = scenario;
        ServerSocket first = listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), first.getLocalPort());
        serve(first);
    }

    /** A server on 127.0.0.1 and a free port, behaving as {@code scenario} says. */
    public static FaultSmtpServer start(SmtpScenario scenario) {
        try {
            return new FaultSmtpServer(scenario);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return address.getPort();
    }

    /** Every mail accepted so far (a 250 given, or taken before a reset after the dot), in order. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** How many times a mail with {@code subject} was accepted. */
    public long copiesOf(String subject) {
        return deliveries.stream().filter(delivery -> subject.equals(delivery.subject())).count();
    }

    /** How many times a mail with {@code subject} was accepted for {@code recipient}. */
    public long copiesOf(String subject, String recipient) {
        return deliveries.stream()
                .filter(delivery -> subject.equals(delivery.subject()) && delivery.recipients().contains(recipient))
                .count();
    }

    /** Connections accepted so far. */
    public int connectionsAccepted() {
        return connections.get();
    }

    /** Connections open now, as the server sees them: a client that closed one is not counted once the server noticed. */
    public int connectionsOpen() {
        return conversations.get();
    }

    /** How many times a client sent the command {@code verb} (such as {@code NOOP}), upper case. */
    public int commandsReceived(String verb) {
        AtomicInteger count = commands.get(verb);
        return count == null ? 0 : count.get();
    }

    /**
     * Goes down for {@code outage}: open connections are reset and new ones refused, then it listens
     * on the same port again. Returns at once.
     */
    public void goDownFor(Duration outage) {
        try {
            listener.close();
        } catch (IOException e) {
            // it stops accepting either way
        }
        open.forEach(FaultSmtpServer::reset);
        Thread.ofVirtual().name("fault-smtp-outage").start(() -> {
            try {
                Thread.sleep(outage);
                if (!closed) {
                    serve(listen(address));
                }
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException("the server could not listen again on " + address, e);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing is all that is left to do
        }
        open.forEach(FaultSmtpServer::closeQuietly);
    }

    private static ServerSocket listen(InetSocketAddress at) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(at, 512);
        return socket;
    }

    private void serve(ServerSocket socket) {
        listener = socket;
        Thread.ofVirtual().name("fault-smtp-accept").start(() -> {
            try {
                while (true) {
                    Socket connection = socket.accept();
                    connection.setTcpNoDelay(true);
                    open.add(connection);
                    int number = connections.incrementAndGet();
                    Thread.ofVirtual().name("fault-smtp-" + number).start(() -> converse(connection, number));
                }
            } catch (IOException e) {
                // closed: the server stops or goes down
            }
        });
    }

    /** A mail the server accepted, with its envelope. */
    public record Delivery(int connection, String from, List<String> recipients, String subject, String data) {}

    /** One client's conversation. */
    private final class Conversation {

        final int number;
        /** The TCP connection, under TLS when there is TLS. */
        final Socket tcp;
        Socket socket;
        InputStream in;
        OutputStream out;
        boolean tls;
        boolean loggedIn;
        int mailsOnConnection;
        int acceptedOnConnection;
        String from;
        Moment mailMoment;
        final List<String> to = new ArrayList<>();

        Conversation(Socket socket, int number) throws IOException {
            this.number = number;
            this.tcp = socket;
            use(socket);
        }

        void use(Socket next) throws IOException {
            socket = next;
            in = new BufferedInputStream(next.getInputStream());
            out = next.getOutputStream();
        }

        void run() throws IOException {
            if (scenario.implicitTls != null) {
                upgrade(scenario.implicitTls);
            }
            if (!greet()) {
                return;
            }
            while (true) {
                Optional<String> line = command();
                if (line.isEmpty()) {
                    return;
                }
                String[] words = line.get().split(" ", 2);
                String verb = words[0].toUpperCase(Locale.ROOT);
                String argument = words.length > 1 ? words[1] : "";
                commands.computeIfAbsent(verb, ignored -> new AtomicInteger()).incrementAndGet();
                Moment moment = upcoming(verb);
                Pause pause = scenario.pauses.get(verb);
                if (pause != null && pause.when().test(moment)) {
                    sleep(pause.pause());
                }
                Predicate<Moment> reset = scenario.resets.get(verb);
                if (reset != null && reset.test(moment)) {
                    reset(tcp);
                    return;
                }
                if (!answer(verb, argument)) {
                    return;
                }
            }
        }

        /** The moment the command {@code verb} would make: a MAIL counts its mail, a RCPT its recipient. */
        Moment upcoming(String verb) {
            boolean mail = "MAIL".equals(verb);
            return new Moment(number, mailsOnConnection + (mail ? 1 : 0), mails.get() + (mail ? 1 : 0),
                    recipients.get() + ("RCPT".equals(verb) ? 1 : 0));
        }

        /** Greets as the scenario says; false when the conversation ends there. */
        boolean greet() throws IOException {
            if (scenario.greeting == null || !scenario.greetingChanged.test(number)) {
                say("220 " + HOST_NAME + " ESMTP ready");
                return true;
            }
            switch (scenario.greeting) {
                case Greeting.Reply reply -> {
                    say(reply.reply());
                    return !reply.reply().startsWith("221") && !reply.reply().startsWith("421");
                }
                case Greeting.EndlessLine ignored -> {
                    out.write("220 ".getBytes(StandardCharsets.US_ASCII));
                    endless("x".repeat(8192));
                    return false;
                }
                case Greeting.EndlessLines ignored -> {
                    endless(("220-" + HOST_NAME + " still greeting you\r\n").repeat(64));
                    return false;
                }
                case Greeting.Trickle trickle -> {
                    while (true) {
                        say("220-please wait");
                        sleep(trickle.every());
                    }
                }
            }
        }

        /** Answers one command; false when the conversation ends. */
        boolean answer(String verb, String argument) throws IOException {
            switch (verb) {
                case "EHLO" -> ehlo();
                case "HELO" -> say("250 " + HOST_NAME);
                case "STARTTLS" -> {
                    if (scenario.startTls == null || tls) {
                        say("502 5.5.1 STARTTLS not offered");
                    } else {
                        say("220 2.0.0 Ready to start TLS");
                        upgrade(scenario.startTls);
                    }
                }
                case "AUTH" -> auth(argument);
                case "MAIL" -> {
                    return mailFrom(argument);
                }
                case "RCPT" -> {
                    return recipient(argument);
                }
                case "DATA" -> {
                    return data();
                }
                case "RSET" -> {
                    resetTransaction();
                    say("250 2.0.0 Ok");
                }
                case "NOOP" -> say("250 2.0.0 Ok");
                case "QUIT" -> {
                    say("221 2.0.0 Bye");
                    return false;
                }
                default -> say("502 5.5.2 Command not recognized");
            }
            return true;
        }

        void ehlo() throws IOException {
            if (scenario.endlessEhlo) {
                endless(("250-" + HOST_NAME + " offers you this line too\r\n").repeat(64));
                return;
            }
            List<String> offers = new ArrayList<>(List.of(HOST_NAME, "PIPELINING", "SIZE " + MAX_MESSAGE_BYTES,
                    "8BITMIME"));
            boolean startTlsFirst = scenario.startTls != null && !tls;
            if (startTlsFirst) {
                offers.add("STARTTLS");
            }
            if (scenario.username != null && !startTlsFirst) {
                offers.add("AUTH PLAIN LOGIN");
            }
            for (int i = 0; i < offers.size(); i++) {
                say("250" + (i == offers.size() - 1 ? " " : "-") + offers.get(i));
            }
        }

        void auth(String argument) throws IOException {
            if (scenario.username == null || (scenario.startTls != null && !tls)) {
                say("503 5.5.1 AUTH not offered");
                return;
            }
            String[] words = argument.split(" ");
            String mechanism = words[0].toUpperCase(Locale.ROOT);
            String user;
            String secret;
            if ("PLAIN".equals(mechanism)) {
                String response = words.length > 1 ? words[1] : prompt("");
                String[] parts = decode(response).split("\0", -1);
                user = parts.length == 3 ? parts[1] : "";
                secret = parts.length == 3 ? parts[2] : "";
            } else if ("LOGIN".equals(mechanism)) {
                user = decode(words.length > 1 ? words[1] : prompt("VXNlcm5hbWU6"));
                secret = decode(prompt("UGFzc3dvcmQ6"));
            } else {
                say("504 5.5.4 Unrecognized authentication type");
                return;
            }
            loggedIn = scenario.username.equals(user) && scenario.password.equals(secret);
            say(loggedIn ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
        }

        String prompt(String challenge) throws IOException {
            say("334 " + challenge);
            return command().orElse("");
        }

        boolean mailFrom(String argument) throws IOException {
            if (scenario.username != null && !loggedIn) {
                say("530 5.7.0 Authentication required");
                return true;
            }
            mailsOnConnection++;
            mailMoment = new Moment(number, mailsOnConnection, mails.incrementAndGet(), 0);
            if (scenario.mailFromReply != null && scenario.mailFromRefused.test(mailMoment)) {
                return refuse(scenario.mailFromReply);
            }
            resetTransaction();
            from = address(argument);
            say("250 2.1.0 Ok");
            return true;
        }

        boolean recipient(String argument) throws IOException {
            if (from == null) {
                say("503 5.5.1 MAIL first");
                return true;
            }
            Moment moment = new Moment(number, mailsOnConnection, mailMoment.mail(), recipients.incrementAndGet());
            if (scenario.recipientReply != null && scenario.recipientRefused.test(moment)) {
                return refuse(scenario.recipientReply);
            }
            if (scenario.recipientsPerMail > 0 && to.size() >= scenario.recipientsPerMail) {
                say("452 4.5.3 Too many recipients");
                return true;
            }
            to.add(address(argument));
            say("250 2.1.5 Ok");
            return true;
        }

        boolean data() throws IOException {
            if (to.isEmpty()) {
                say("554 5.5.1 No valid recipients");
                return true;
            }
            say("354 End data with <CR><LF>.<CR><LF>");
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                String line = line(MAX_MESSAGE_BYTES).orElse(null);
                if (line == null) {
                    return false;
                }
                if (".".equals(line)) {
                    break;
                }
                if (message.size() + line.length() > MAX_MESSAGE_BYTES) {
                    say("552 5.3.4 Message too big");
                    return false;
                }
                message.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
                message.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            String text = message.toString(StandardCharsets.UTF_8);
            if (scenario.resetAfterDot.test(mailMoment)) {
                keep(text);
                reset(tcp);
                return false;
            }
            if (scenario.dotReply != null && scenario.dotRefused.test(mailMoment)) {
                return refuse(scenario.dotReply);
            }
            keep(text);
            say("250 2.0.0 Ok: queued as " + accepted.incrementAndGet());
            acceptedOnConnection++;
            resetTransaction();
            if (scenario.mailsPerConnection > 0 && acceptedOnConnection >= scenario.mailsPerConnection) {
                farewell(scenario.mailsFarewell, "421 4.7.0 " + HOST_NAME + " Too many messages, closing connection");
                return false;
            }
            return true;
        }

        void keep(String text) {
            deliveries.add(new Delivery(number, from, List.copyOf(to), subjectOf(text), text));
        }

        /** Says {@code reply}; a 421 closes the connection after it, as RFC 5321 has it, and so may the scenario. */
        boolean refuse(String reply) throws IOException {
            say(reply);
            resetTransaction();
            return !reply.startsWith("421") && !scenario.closesAfterRefusals;
        }

        void resetTransaction() {
            from = null;
            to.clear();
        }

        /** The next command; empty when the client went, or stayed idle beyond the scenario's limit. */
        Optional<String> command() throws IOException {
            if (scenario.idleLimit != null) {
                socket.setSoTimeout((int) scenario.idleLimit.toMillis());
            }
            try {
                return line(MAX_LINE_BYTES);
            } catch (SocketTimeoutException idle) {
                farewell(scenario.idleFarewell, "421 4.4.2 " + HOST_NAME + " Idle too long, closing connection");
                return Optional.empty();
            } finally {
                socket.setSoTimeout(0);
            }
        }

        void farewell(Farewell farewell, String reply) throws IOException {
            if (farewell == Farewell.SAY_421) {
                say(reply);
            }
        }

        /** A line without its CRLF; empty at the end of the stream. */
        Optional<String> line(int limit) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return Optional.of(new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
                }
                if (line.size() >= limit) {
                    say("500 5.5.2 Line too long");
                    return Optional.empty();
                }
                line.write(b);
            }
            return Optional.empty();
        }

        void upgrade(SSLContext context) throws IOException {
            SSLSocket secured = (SSLSocket) context.getSocketFactory().createSocket(socket,
                    socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            secured.setUseClientMode(false);
            secured.startHandshake();
            open.add(secured);
            use(secured);
            tls = true;
            loggedIn = false;
            resetTransaction();
        }

        void say(String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Writes {@code chunk} again and again until the client stops taking it. */
        void endless(String chunk) throws IOException {
            byte[] bytes = chunk.getBytes(StandardCharsets.US_ASCII);
            while (!closed) {
                out.write(bytes);
                out.flush();
            }
        }
    }

    private void converse(Socket connection, int number) {
        conversations.incrementAndGet();
        try {
            new Conversation(connection, number).run();
        } catch (IOException | RuntimeException e) {
            // the client went, or the scenario ended the conversation
        } finally {
            closeQuietly(connection);
            open.remove(connection);
            conversations.decrementAndGet();
        }
    }

    private static String subjectOf(String text) {
        for (String line : text.split("\r\n")) {
            if (line.isEmpty()) {
                break;
            }
            if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
                return line.substring(8).strip();
            }
        }
        return "";
    }

    private static String address(String argument) {
        int open = argument.indexOf('<');
        int close = argument.indexOf('>', open + 1);
        return open >= 0 && close > open ? argument.substring(open + 1, close) : argument;
    }

    private static String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Closes {@code socket} with a TCP reset rather than the usual goodbye. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that is left to do
        }
    }
}
