package dev.mailservice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of a real server: it counts the connections clients open and can cut them
 * all, as a server or a firewall does with idle connections; silence them, as a NAT or a load
 * balancer that forgot them does, so that what is sent on them is lost while they stay open (all
 * of them, or the next one that carries a given command); or,
 * in front of an SMTP server, cut one just after the server took a message and before the client
 * hears so.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int upstreamPort;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** For each connection opened: whether it is silenced. */
    private final List<AtomicBoolean> silences = new CopyOnWriteArrayList<>();
    private volatile boolean cutNextAcknowledgement;
    /** Whether connections opened from now on are silenced from their start. */
    private volatile boolean silenceNew;
    /** What silences the next connection on which the client sends it, and what it completes then; null for none. */
    private final AtomicReference<Silence> silenceAt = new AtomicReference<>();
    /** The characters of the chunk before that a new chunk is matched with: a marker may be this long plus one. */
    private static final int TAIL = 64;

    private record Silence(String marker, CompletableFuture<Void> silenced) {}

    /** What a pump saw: the end of the chunk before ({@code fresh} characters), then the chunk just read. */
    @FunctionalInterface
    private interface Forward {
        boolean test(String seen, int fresh);
    }

    /** Whether {@code seen} holds {@code text} in full with at least its last character among the chunk just read. */
    private static boolean newlyHolds(String seen, int fresh, String text) {
        return seen.indexOf(text, Math.max(0, fresh - text.length() + 1)) >= 0;
    }

    public TcpProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** How many connections clients have opened so far. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** How many client connections are open now. */
    public int connectionsOpen() {
        open.removeIf(Socket::isClosed);
        return open.size() / 2;
    }

    /** Cuts every open connection, client and server side, without a word. */
    public void cutAll() throws IOException {
        for (Socket socket : open) {
            socket.close();
            open.remove(socket); // one by one: a connection opened meanwhile stays listed, to be cut or closed later
        }
    }

    /**
     * From now on nothing sent on the connections open now reaches the other side, in either
     * direction, and they stay open; connections opened later are passed as before.
     */
    public void silenceOpen() {
        silences.forEach(silenced -> silenced.set(true));
    }

    /**
     * From now on nothing sent on any connection reaches the other side, on those open now and on
     * those opened later, which are taken and stay open: a server that hangs.
     */
    public void silenceAll() {
        silenceNew = true;
        silenceOpen();
    }

    /**
     * The next connection on which a client sends {@code marker} (at most {@value #TAIL} + 1
     * characters) is silenced from there on, that chunk included, as one a middlebox forgot in the
     * middle of a conversation; the connections after it pass as before.
     *
     * @return completed once a connection is silenced so
     */
    public CompletableFuture<Void> silenceTheNextConnectionAt(String marker) {
        if (marker.length() > TAIL + 1) {
            throw new IllegalArgumentException("a marker of at most " + (TAIL + 1) + " characters");
        }
        Silence silence = new Silence(marker, new CompletableFuture<>());
        silenceAt.set(silence);
        return silence.silenced();
    }

    /**
     * The next time a client ends a message (the line holding a single dot), the server gets it,
     * and then the connection is cut instead of the server's reply reaching the client.
     */
    public void cutBeforeTheNextMessageIsAcknowledged() {
        cutNextAcknowledgement = true;
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                open.add(client);
                open.add(server);
                AtomicBoolean replyMustBeCut = new AtomicBoolean();
                AtomicBoolean silenced = new AtomicBoolean();
                silences.add(silenced);
                // After it is listed: a silenceAll under way either finds it listed or has set the flag already.
                if (silenceNew) {
                    silenced.set(true);
                }
                Thread.ofVirtual().start(() -> pump(client, server, silenced, (seen, fresh) -> {
                    Silence silence = silenceAt.get();
                    if (silence != null && newlyHolds(seen, fresh, silence.marker())
                            && silenceAt.compareAndSet(silence, null)) {
                        silenced.set(true);
                        silence.silenced().complete(null);
                    }
                    if (cutNextAcknowledgement && newlyHolds(seen, fresh, "\r\n.\r\n")) {
                        cutNextAcknowledgement = false;
                        replyMustBeCut.set(true);
                    }
                    return true;
                }));
                Thread.ofVirtual().start(() -> pump(server, client, silenced, (seen, fresh) -> !replyMustBeCut.get()));
            }
        } catch (IOException closed) {
            // the proxy is closed
        }
    }

    /**
     * Copies {@code from} to {@code to} while {@code forward} agrees to pass each chunk on, dropping
     * what comes while {@code silenced}; {@code forward} sees the chunk after the end of the one
     * before, so a marker split between two reads is found.
     */
    private static void pump(Socket from, Socket to, AtomicBoolean silenced, Forward forward) {
        byte[] buffer = new byte[8192];
        String tail = "";
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                String seen = tail + new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
                int fresh = tail.length();
                tail = seen.substring(Math.max(0, seen.length() - TAIL));
                if (!forward.test(seen, fresh)) {
                    return;
                }
                if (silenced.get()) {
                    continue;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException cut) {
            // one side went away
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cutAll();
    }
}
