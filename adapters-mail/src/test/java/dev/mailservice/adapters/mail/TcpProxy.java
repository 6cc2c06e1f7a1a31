package dev.mailservice.adapters.mail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP proxy in front of a real SMTP server: it counts the connections clients open and can cut
 * them all, as a server or a firewall does with idle connections, or cut one just after the
 * server took a message and before the client hears so.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int upstreamPort;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean cutNextAcknowledgement;

    TcpProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** How many connections clients have opened so far. */
    int connectionsAccepted() {
        return accepted.get();
    }

    /** How many client connections are open now. */
    int connectionsOpen() {
        open.removeIf(Socket::isClosed);
        return open.size() / 2;
    }

    /** Cuts every open connection, client and server side, without a word. */
    void cutAll() throws IOException {
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /**
     * The next time a client ends a message (the line holding a single dot), the server gets it,
     * and then the connection is cut instead of the server's reply reaching the client.
     */
    void cutBeforeTheNextMessageIsAcknowledged() {
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
                Thread.ofVirtual().start(() -> pump(client, server, chunk -> {
                    if (cutNextAcknowledgement && chunk.contains("\r\n.\r\n")) {
                        cutNextAcknowledgement = false;
                        replyMustBeCut.set(true);
                    }
                    return true;
                }));
                Thread.ofVirtual().start(() -> pump(server, client, chunk -> !replyMustBeCut.get()));
            }
        } catch (IOException closed) {
            // the proxy is closed
        }
    }

    /**
     * Copies {@code from} to {@code to} while {@code forward} agrees to pass each chunk on; it sees
     * the chunk with the end of the one before, so a marker split between two reads is found.
     */
    private static void pump(Socket from, Socket to, Predicate<String> forward) {
        byte[] buffer = new byte[8192];
        String tail = "";
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                String seen = tail + new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
                tail = seen.substring(Math.max(0, seen.length() - 4));
                if (!forward.test(seen)) {
                    return;
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
