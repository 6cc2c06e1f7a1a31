package dev.mailservice.testkit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server on a free loopback port (SubEthaSMTP), as a test needs it: plain, with
 * STARTTLS or implicit TLS on a certificate the test made ({@link TestCertificates}), with a
 * login (PLAIN and LOGIN) or a mechanism the client does not speak, or none. It keeps each mail it
 * accepts as its raw text.
 */
public final class TestSmtpServer implements AutoCloseable {

    private final SMTPServer server;
    private final List<String> mails = new CopyOnWriteArrayList<>();

    private TestSmtpServer(SMTPServer.Builder builder) {
        this.server = builder.messageHandler((context, from, to, data) -> mails.add(new String(data,
                StandardCharsets.UTF_8))).build();
        server.start();
    }

    /** A server on 127.0.0.1 and a free port, set up by {@code setUp}, started. */
    public static TestSmtpServer start(Setup setUp) {
        SMTPServer.Builder builder = new SMTPServer.Builder().bindAddress(loopback()).port(0)
                .hostName("smtp.test").softwareName("TestSmtpServer");
        setUp.apply(new Options(builder));
        return new TestSmtpServer(builder);
    }

    /** The port it listens on. */
    public int port() {
        return server.getPortAllocated();
    }

    /** The mails accepted so far, each as the client sent it. */
    public List<String> mails() {
        return List.copyOf(mails);
    }

    @Override
    public void close() {
        server.stop();
    }

    /** How a test sets the server up. */
    @FunctionalInterface
    public interface Setup {
        void apply(Options options);
    }

    /** The server's options. */
    public static final class Options {

        private final SMTPServer.Builder builder;

        private Options(SMTPServer.Builder builder) {
            this.builder = builder;
        }

        /**
         * Offers STARTTLS with {@code tls}'s certificate, and requires it before AUTH and mail, as
         * a submission server does; AUTH is offered only after it.
         */
        public Options startTls(SSLContext tls) {
            builder.enableTLS().requireTLS().showAuthCapabilitiesBeforeSTARTTLS(false).startTlsSocketFactory(tls);
            return this;
        }

        /** Speaks TLS from the first byte with {@code tls}'s certificate. */
        public Options implicitTls(SSLContext tls) {
            builder.serverSocketFactory(tls);
            return this;
        }

        /** Offers AUTH PLAIN and LOGIN, accepting {@code username} with {@code password} alone. */
        public Options login(String username, String password) {
            builder.authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((user, given, context) -> {
                if (!username.equals(user) || !password.equals(given)) {
                    throw new LoginFailedException("535 5.7.8 Authentication credentials invalid");
                }
            }));
            return this;
        }

        /** Offers AUTH with {@code mechanism} alone, which it then refuses. */
        public Options onlyMechanism(String mechanism) {
            builder.authenticationHandlerFactory(new AuthenticationHandlerFactory() {
                @Override
                public List<String> getAuthenticationMechanisms() {
                    return List.of(mechanism);
                }

                @Override
                public AuthenticationHandler create() {
                    return new AuthenticationHandler() {
                        @Override
                        public Optional<String> auth(String clientInput, org.subethamail.smtp.MessageContext context)
                                throws RejectException {
                            throw new RejectException(504, "5.5.4 Unrecognized authentication type");
                        }

                        @Override
                        public Object getIdentity() {
                            return null;
                        }
                    };
                }
            });
            return this;
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (UnknownHostException e) {
            throw new IllegalStateException("127.0.0.1 is an address", e);
        }
    }
}
