package dev.mailservice.adapters.mail;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The TCP connection to an SMTP server, which no server can hold open or fill beyond a limit,
 * whatever it sends or leaves unsent. Every connection of the service to an SMTP server, for a send
 * or a verification, is one; TLS, implicit or after STARTTLS, is layered over it, so its limits hold
 * under TLS too.
 *
 * <ul>
 *   <li>Each read and each write gives up after the timeout; and all of them, however many and
 *       however slowly a server trickles its bytes, once the {@linkplain #deadline deadline} given
 *       has passed ({@link DeadlinePassed}).</li>
 *   <li>A reply, all its lines together, may take at most {@link #MAX_REPLY_BYTES} as it comes over
 *       the network; a server that sends more before ending it is dropped ({@link ReplyTooLong}).
 *       Angus Mail reads a reply line by line into memory with no limit, so a greeting that never
 *       ends would otherwise fill the heap. The SMTP conversation tells when a reply begins
 *       ({@link #replyBegins}).</li>
 *   <li>Each write goes out at once (TCP_NODELAY). SMTP is a conversation of small writes, and the
 *       end of a message is one: its last line, the single dot, goes out in a write of its own after
 *       the body. With Nagle's algorithm on, that write waits until the server acknowledges the
 *       body, and a server has nothing to answer before the dot, so it sends the acknowledgement
 *       only when its delayed-ACK timer fires (up to 40 ms on Linux).</li>
 * </ul>
 *
 * <p>Written here because neither the JDK nor Angus Mail bounds a whole conversation or the size of
 * a reply; a plain {@link Socket} underneath keeps the JDK's own TCP and TLS.
 */
final class SmtpSocket extends Socket {

    /**
     * What a server may send in answer to one command, or as its greeting: RFC 5321 allows 512
     * octets a reply line, and a long EHLO answer holds a few dozen lines; TLS adds its framing.
     */
    static final int MAX_REPLY_BYTES = 64 * 1024;

    /** Cuts writes that outlive their limit, for every connection: one thread, asleep in between. */
    private static final ScheduledThreadPoolExecutor WRITE_LIMITS = writeLimits();

    private final long timeoutNanos;
    /** When every read and write must have ended, in {@link System#nanoTime()}'s terms; {@code null} for none. */
    private volatile Long deadline;
    /** Bytes received since the reply being read began. */
    private volatile int replyBytes;
    /** Whether a write outlived its limit and the socket was closed for it. */
    private volatile boolean writeCut;
    private InputStream input;
    /** Whether a read met the end of the stream: the server closed its side. */
    private volatile boolean endOfStream;
    private OutputStream output;

    /** @param timeout the limit of each read and write, and of connecting */
    SmtpSocket(Duration timeout) throws IOException {
        this.timeoutNanos = timeout.toNanos();
        setTcpNoDelay(true);
    }

    /** Ends every read and write at {@code nanoTime}, as {@link System#nanoTime()} counts, from now on. */
    void deadline(long nanoTime) {
        deadline = nanoTime;
    }

    /** Lifts the deadline: only the timeout of each read and write is left. */
    void noDeadline() {
        deadline = null;
    }

    /** Whether a deadline is set and has passed. */
    boolean deadlinePassed() {
        Long end = deadline;
        return end != null && end - System.nanoTime() <= 0;
    }

    /** A new reply, or the greeting, is read from here on: it gets a budget of its own. */
    void replyBegins() {
        replyBytes = 0;
    }

    /** How long a connect, read or write may take now: the timeout, or what is left before the deadline. */
    int limitMillis() throws DeadlinePassed {
        long limit = timeoutNanos;
        Long end = deadline;
        if (end != null) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new DeadlinePassed();
            }
            limit = Math.min(limit, left);
        }
        return (int) Math.clamp(TimeUnit.NANOSECONDS.toMillis(limit + 999_999), 1, Integer.MAX_VALUE);
    }

    /**
     * Whether a read met the end of the TCP stream: the server closed its side. Under TLS, a server
     * that says TLS's own goodbye first (close_notify) ends the TLS stream without this being seen.
     */
    boolean endOfStreamSeen() {
        return endOfStream;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (input == null) {
            input = new Limited(super.getInputStream());
        }
        return input;
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (output == null) {
            output = new Timed(super.getOutputStream());
        }
        return output;
    }

    /** Every read within the limits; a reply that outgrows its budget drops the connection. */
    private final class Limited extends FilterInputStream {

        Limited(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? read : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            setSoTimeout(limitMillis());
            int read;
            try {
                read = in.read(buffer, offset, length);
            } catch (SocketTimeoutException e) {
                if (deadlinePassed()) {
                    throw new DeadlinePassed();
                }
                throw e;
            }
            if (read < 0) {
                endOfStream = true;
            }
            if (read > 0) {
                replyBytes += read;
                if (replyBytes > MAX_REPLY_BYTES) {
                    SmtpSocket.this.close();
                    throw new ReplyTooLong();
                }
            }
            return read;
        }
    }

    /** Every write within the limits: one that outlives them closes the socket, which ends it. */
    private final class Timed extends FilterOutputStream {

        Timed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            int limit = limitMillis();
            ScheduledFuture<?> cut = WRITE_LIMITS.schedule(this::cut, limit, TimeUnit.MILLISECONDS);
            try {
                out.write(buffer, offset, length);
            } catch (IOException e) {
                if (writeCut) {
                    throw deadlinePassed() ? new DeadlinePassed() : new SocketTimeoutException("No write in " + limit + " ms");
                }
                throw e;
            } finally {
                cut.cancel(false);
            }
        }

        private void cut() {
            writeCut = true;
            try {
                SmtpSocket.this.close();
            } catch (IOException e) {
                // closed: the write ends either way
            }
        }
    }

    /** The deadline of the whole conversation passed. */
    static final class DeadlinePassed extends SocketTimeoutException {

        private static final long serialVersionUID = 1L;

        DeadlinePassed() {
            super("the send's deadline passed");
        }
    }

    /** A server sent more than a reply may hold. */
    static final class ReplyTooLong extends IOException {

        private static final long serialVersionUID = 1L;

        ReplyTooLong() {
            super("the server sent more than " + MAX_REPLY_BYTES / 1024 + " KiB without ending its reply");
        }
    }

    /** Closes {@code socket}, when there is one, and lets pass whatever the closing throws. */
    static void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that is left to do
        }
    }

    private static ScheduledThreadPoolExecutor writeLimits() {
        ScheduledThreadPoolExecutor limits = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1,
                Thread.ofPlatform().name("smtp-write-limit").daemon(true).factory());
        // Nearly every write ends in time: its cut is cancelled, and should not linger in the queue.
        limits.setRemoveOnCancelPolicy(true);
        return limits;
    }
}
