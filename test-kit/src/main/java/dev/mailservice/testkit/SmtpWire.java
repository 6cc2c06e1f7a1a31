package dev.mailservice.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The bytes of one connection to a {@link FaultSmtpServer}: lines in, replies out, on the TCP connection and,
 * once it is upgraded, over TLS on it. Also how a connection is closed: quietly, or with a TCP reset.
 */
final class SmtpWire {

    /** The TCP connection, under TLS when there is TLS. */
    private final Socket tcp;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    SmtpWire(Socket tcp) throws IOException {
        this.tcp = tcp;
        use(tcp);
    }

    private void use(Socket next) throws IOException {
        socket = next;
        in = new BufferedInputStream(next.getInputStream());
        out = next.getOutputStream();
    }

    /** Speaks TLS from now on, as the server, with {@code context}'s certificate; returns the TLS socket. */
    SSLSocket upgrade(SSLContext context) throws IOException {
        SSLSocket secured = (SSLSocket) context.getSocketFactory().createSocket(socket,
                socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        secured.setUseClientMode(false);
        secured.startHandshake();
        use(secured);
        return secured;
    }

    /** Closes the connection as a server does, under TLS with TLS's own goodbye (close_notify) first. */
    void close() {
        closeQuietly(socket);
    }

    /** How long a read waits, in milliseconds; 0 for ever. */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /**
     * A line without its CRLF; empty at the end of the stream, or once a line longer than {@code limit} was
     * answered with 500.
     */
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

    void say(String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Writes {@code text} without flushing it: the start of what follows. */
    void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes {@code chunk} again and again until the client stops taking it, or {@code stop} holds. */
    void endless(String chunk, BooleanSupplier stop) throws IOException {
        byte[] bytes = chunk.getBytes(StandardCharsets.US_ASCII);
        while (!stop.getAsBoolean()) {
            out.write(bytes);
            out.flush();
        }
    }

    /** Resets the TCP connection, whatever runs over it. */
    void reset() {
        reset(tcp);
    }

    /** Closes {@code socket} with a TCP reset rather than the usual goodbye. */
    static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already
        }
        closeQuietly(socket);
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that is left to do
        }
    }
}
