package dev.mailservice.adapters.mail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories for Angus Mail whose sockets send each write at once (TCP_NODELAY).
 *
 * <p>SMTP is a conversation of small writes, and the end of a message is one: its last line, the
 * single dot, goes out in a write of its own after the body. With Nagle's algorithm on, that write
 * waits until the server acknowledges the body, and a server has nothing to answer before the dot,
 * so it sends the acknowledgement only when its delayed-ACK timer fires (up to 40 ms on Linux).
 * Every send paid that stall on top of its round trips. Angus Mail has no setting for the socket
 * option, so its two factory settings are given these.
 */
final class NoDelaySockets {

    private NoDelaySockets() {}

    /** For {@code mail.smtp.socketFactory}: the plain connection, before STARTTLS upgrades it in place. */
    static SocketFactory plain() {
        return new Plain(SocketFactory.getDefault());
    }

    /**
     * For {@code mail.smtp.ssl.socketFactory}: connections that speak TLS from the first byte, made by
     * {@code tls}; an upgrade layered over a plain connection keeps that connection's option.
     */
    static SSLSocketFactory tls(SSLSocketFactory tls) {
        return new Tls(tls);
    }

    private static <S extends Socket> S noDelay(S socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static final class Plain extends SocketFactory {

        private final SocketFactory sockets;

        Plain(SocketFactory sockets) {
            this.sockets = sockets;
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(sockets.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(sockets.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
            return noDelay(sockets.createSocket(host, port, localAddress, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(sockets.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(sockets.createSocket(host, port, localAddress, localPort));
        }
    }

    private static final class Tls extends SSLSocketFactory {

        private final SSLSocketFactory sockets;

        Tls(SSLSocketFactory sockets) {
            this.sockets = sockets;
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(sockets.createSocket());
        }

        @Override
        public Socket createSocket(Socket plain, String host, int port, boolean autoClose) throws IOException {
            return noDelay(sockets.createSocket(plain, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(sockets.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
            return noDelay(sockets.createSocket(host, port, localAddress, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(sockets.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(sockets.createSocket(host, port, localAddress, localPort));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return sockets.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return sockets.getSupportedCipherSuites();
        }
    }
}
