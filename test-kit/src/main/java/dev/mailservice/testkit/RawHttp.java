package dev.mailservice.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One client connection that writes raw bytes, as a hostile client or a broken proxy would, and
 * reads the answers back one by one (a {@code 100 Continue} is an answer of its own). The
 * benchmark's load clients send over it too: it costs next to nothing per call.
 */
public final class RawHttp implements AutoCloseable {

    /** An answer as it came over the wire. */
    public record Answer(int status, Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;

    public RawHttp(int port) throws IOException {
        this(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    /**
     * A connection whose socket sends from a buffer of about {@code sendBufferBytes} (set before it
     * connects, so that the connection is made with it): a large write blocks as soon as the server
     * stops reading, rather than when the host's default buffers are full.
     */
    public static RawHttp withSendBuffer(int port, int sendBufferBytes) throws IOException {
        Socket socket = new Socket();
        socket.setSendBufferSize(sendBufferBytes);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new RawHttp(socket);
    }

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        // A guard against a hang, not a speed target.
        socket.setSoTimeout(120_000);
        // Buffered: an answer is read a line at a time, which unbuffered would be a system call a byte.
        in = new BufferedInputStream(socket.getInputStream());
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads one answer: status line, headers, and the body its Content-Length announces (none for {@code HEAD}). */
    public Answer answer(boolean toHead) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("the connection closed before an answer");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); line != null && !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        int length = toHead ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    public Answer answer() throws IOException {
        return answer(false);
    }

    /**
     * Waits up to {@code limit} for the server to close the connection; true if it closed. Fails
     * if the server sends anything more first: an answer after the expected one means bytes were
     * read as another request.
     */
    public boolean closedWithin(Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        try {
            int next = in.read();
            if (next >= 0) {
                byte[] more = new byte[4096];
                int length = Math.max(in.read(more), 0);
                throw new AssertionError("the server sent more before closing: " + (char) next
                        + new String(more, 0, length, StandardCharsets.ISO_8859_1));
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int next;
        while ((next = in.read()) >= 0) {
            if (next == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(next);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * A send body of exactly {@code length} bytes, nearly all of it a base64 attachment, as the
     * largest sends are.
     */
    public static byte[] sendBodyOf(long length) {
        String head = "{\"emailTemplateType\":\"loginWithOTP\",\"sendEmailTo\":[\"a@example.com\"],"
                + "\"templateData\":{\"name\":\"Ann\",\"otp\":\"123456\"},\"attachments\":[{\"filename\":\"a.bin\","
                + "\"contentType\":\"application/octet-stream\",\"encoding\":\"base64\",\"content\":\"";
        String tail = "\"}]}";
        int content = (int) length - head.length() - tail.length();
        // Whole base64 quads, the rest made up with white space after the object.
        return (head + "QUJD".repeat(content / 4) + tail + " ".repeat(content % 4)).getBytes(StandardCharsets.US_ASCII);
    }
}
