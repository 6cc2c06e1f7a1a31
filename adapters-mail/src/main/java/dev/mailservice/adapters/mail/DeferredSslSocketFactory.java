package dev.mailservice.adapters.mail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocketFactory} that makes the one it hands every call to when it is first used.
 * Making one loads the JDK's certificate authorities and its TLS classes (measured in
 * docs/benchmark.md, "Start-up"), which a service whose SMTP server speaks no TLS never needs and
 * one whose server does pays at its first TLS connection instead. Jakarta Mail takes the factory
 * as an object in a session's settings, so it is handed this one.
 *
 * <p>A failure to make the factory is not kept: the use that met it fails with it (a send, a
 * token request), and the next use tries again.
 */
public final class DeferredSslSocketFactory extends SSLSocketFactory {

    private final Supplier<SSLSocketFactory> make;
    private volatile SSLSocketFactory made;

    /** @param make makes the factory; called by the first use, and by the next one if it failed */
    public DeferredSslSocketFactory(Supplier<SSLSocketFactory> make) {
        this.make = Objects.requireNonNull(make, "make");
    }

    /** The JDK's default factory, made when first used. */
    public static DeferredSslSocketFactory jdkDefault() {
        return new DeferredSslSocketFactory(() -> (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    @Override
    public String toString() {
        SSLSocketFactory factory = made;
        return "DeferredSslSocketFactory[" + (factory == null ? "not made yet" : factory) + "]";
    }

    private SSLSocketFactory delegate() {
        SSLSocketFactory factory = made;
        if (factory == null) {
            synchronized (this) {
                factory = made;
                if (factory == null) {
                    factory = Objects.requireNonNull(make.get(), "the TLS socket factory made");
                    made = factory;
                }
            }
        }
        return factory;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate().getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return delegate().createSocket();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return delegate().createSocket(socket, host, port, autoClose);
    }

    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
        return delegate().createSocket(socket, consumed, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate().createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate().createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate().createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return delegate().createSocket(address, port, localAddress, localPort);
    }
}
