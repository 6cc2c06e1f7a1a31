package dev.mailservice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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
 *
 * <p>This class holds the listening socket and the bookkeeping of connections, commands and mails; each
 * connection's SMTP is a {@link FaultSmtpConversation}.
 */
public final class FaultSmtpServer implements AutoCloseable {

    /** The server's name in its greeting and replies. */
    public static final String HOST_NAME = "faults.smtp.test";

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
    private final List<String> clientNames = new CopyOnWriteArrayList<>();
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

    /** The names clients gave themselves in EHLO or HELO, in the order they came. */
    public List<String> greetedAs() {
        return List.copyOf(clientNames);
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
        open.forEach(SmtpWire::reset);
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
        open.forEach(SmtpWire::closeQuietly);
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

    private void converse(Socket connection, int number) {
        conversations.incrementAndGet();
        try {
            new FaultSmtpConversation(this, scenario, connection, number).run();
        } catch (IOException | RuntimeException e) {
            // the client went, or the scenario ended the conversation
        } finally {
            SmtpWire.closeQuietly(connection);
            open.remove(connection);
            conversations.decrementAndGet();
        }
    }

    // What the conversations count and keep.

    /** Keeps the name a client gave itself in EHLO or HELO. */
    void greetedAs(String name) {
        clientNames.add(name);
    }

    /** Counts a command {@code verb} of a client. */
    void countCommand(String verb) {
        commands.computeIfAbsent(verb, ignored -> new AtomicInteger()).incrementAndGet();
    }

    /** The mails begun so far, on every connection. */
    int mailsCounted() {
        return mails.get();
    }

    /** Counts a mail begun; returns its number. */
    int countMail() {
        return mails.incrementAndGet();
    }

    /** The recipients given so far, on every connection. */
    int recipientsCounted() {
        return recipients.get();
    }

    /** Counts a recipient given; returns its number. */
    int countRecipient() {
        return recipients.incrementAndGet();
    }

    /** Counts a mail acknowledged with 250; returns its number. */
    int countAccepted() {
        return accepted.incrementAndGet();
    }

    void keep(Delivery delivery) {
        deliveries.add(delivery);
    }

    /** Takes {@code socket} (a connection under TLS) among the open ones, to be closed or reset with them. */
    void track(Socket socket) {
        open.add(socket);
    }

    boolean isClosed() {
        return closed;
    }
}
