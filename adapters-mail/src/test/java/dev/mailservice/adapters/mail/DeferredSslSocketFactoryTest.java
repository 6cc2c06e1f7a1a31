package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

class DeferredSslSocketFactoryTest {

    private final Recording recording = new Recording();
    private final AtomicInteger made = new AtomicInteger();
    private final DeferredSslSocketFactory deferred = new DeferredSslSocketFactory(() -> {
        made.incrementAndGet();
        return recording;
    });

    @AfterEach
    void closeSockets() throws Exception {
        for (Socket socket : recording.sockets) {
            socket.close();
        }
    }

    @Test
    void makesNothingUntilFirstUsed() {
        assertEquals(0, made.get());
        assertTrue(deferred.toString().contains("not made yet"), deferred.toString());
    }

    @Test
    void handsEveryCallWithItsArgumentsToTheFactoryMadeOnce() throws Throwable {
        InetAddress local = InetAddress.getLoopbackAddress();
        Socket layered = new Socket();
        InputStream consumed = new ByteArrayInputStream(new byte[] {22});

        assertSame(recording.suites, deferred.getDefaultCipherSuites());
        assertSame(recording.suites, deferred.getSupportedCipherSuites());
        assertHandedOn(() -> deferred.createSocket());
        assertHandedOn(() -> deferred.createSocket(layered, "smtp.example.com", 587, true));
        assertHandedOn(() -> deferred.createSocket(layered, consumed, false));
        assertHandedOn(() -> deferred.createSocket("smtp.example.com", 465));
        assertHandedOn(() -> deferred.createSocket("smtp.example.com", 465, local, 40000));
        assertHandedOn(() -> deferred.createSocket(local, 465));
        assertHandedOn(() -> deferred.createSocket(local, 465, local, 40001));

        assertEquals(List.of("defaultCipherSuites", "supportedCipherSuites", "createSocket()",
                "createSocket(" + layered + ", smtp.example.com, 587, true)",
                "createSocket(" + layered + ", " + consumed + ", false)",
                "createSocket(smtp.example.com, 465)",
                "createSocket(smtp.example.com, 465, " + local + ", 40000)",
                "createSocket(" + local + ", 465)",
                "createSocket(" + local + ", 465, " + local + ", 40001)"), recording.calls);
        assertEquals(1, made.get());
        layered.close();
    }

    @Test
    void aFailureToMakeTheFactoryIsTriedAgainAtTheNextUse() {
        AtomicInteger attempts = new AtomicInteger();
        DeferredSslSocketFactory failingOnce = new DeferredSslSocketFactory(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("the authorities cannot be read");
            }
            return recording;
        });

        assertThrows(IllegalStateException.class, failingOnce::getDefaultCipherSuites);
        assertSame(recording.suites, failingOnce.getDefaultCipherSuites());
        assertEquals(2, attempts.get());
    }

    /** The socket {@code call} answers is the one the recording factory made for it. */
    private void assertHandedOn(ThrowingSupplier<Socket> call) throws Throwable {
        Socket answered = call.get();
        assertSame(recording.last(), answered);
    }

    /** Records each call with its arguments, and answers with objects of its own. */
    private static final class Recording extends SSLSocketFactory {

        final String[] suites = {"TLS_AES_128_GCM_SHA256"};
        final List<String> calls = new ArrayList<>();
        final List<Socket> sockets = new ArrayList<>();

        Socket last() {
            return sockets.getLast();
        }

        private Socket record(String call, Object... arguments) {
            calls.add(call + "(" + String.join(", ", Arrays.stream(arguments).map(String::valueOf).toList()) + ")");
            Socket socket = new Socket();
            sockets.add(socket);
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            calls.add("defaultCipherSuites");
            return suites;
        }

        @Override
        public String[] getSupportedCipherSuites() {
            calls.add("supportedCipherSuites");
            return suites;
        }

        @Override
        public Socket createSocket() {
            return record("createSocket");
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) {
            return record("createSocket", socket, host, port, autoClose);
        }

        @Override
        public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) {
            return record("createSocket", socket, consumed, autoClose);
        }

        @Override
        public Socket createSocket(String host, int port) {
            return record("createSocket", host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
            return record("createSocket", host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) {
            return record("createSocket", host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
            return record("createSocket", address, port, localAddress, localPort);
        }
    }
}
