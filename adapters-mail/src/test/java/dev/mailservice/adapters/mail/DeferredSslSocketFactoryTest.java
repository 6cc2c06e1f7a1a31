package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

class DeferredSslSocketFactoryTest {

    private final AtomicInteger made = new AtomicInteger();
    private final DeferredSslSocketFactory deferred = new DeferredSslSocketFactory(() -> {
        made.incrementAndGet();
        return (SSLSocketFactory) SSLSocketFactory.getDefault();
    });

    @Test
    void makesNothingUntilFirstUsed() {
        assertEquals(0, made.get());
    }

    @Test
    void makesTheFactoryOnceAndHandsEveryCallToIt() throws Exception {
        try (Socket first = deferred.createSocket(); Socket second = deferred.createSocket()) {
            assertInstanceOf(SSLSocket.class, first);
            assertInstanceOf(SSLSocket.class, second);
        }
        SSLSocketFactory jdk = (SSLSocketFactory) SSLSocketFactory.getDefault();
        assertArrayEquals(jdk.getSupportedCipherSuites(), deferred.getSupportedCipherSuites());
        assertArrayEquals(jdk.getDefaultCipherSuites(), deferred.getDefaultCipherSuites());
        assertEquals(1, made.get());
    }
}
