package dev.mailservice.adapters.config;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Why a connection to a store's server failed, said without the server's address: these words go
 * into answers, which callers see. The clients' own messages may name the address (Netty's and
 * the JDK's TLS messages do), so only the kind of failure is told; the store's log lines name the
 * address.
 */
final class ConnectionFailure {

    private ConnectionFailure() {}

    /**
     * @param failure what the client threw; its causes, and the failures they suppressed, are looked through
     * @param server  the server's kind, e.g. {@code Redis}
     * @return what happened, e.g. {@code Redis refused the connection}; empty when no cause says
     */
    static Optional<String> describe(Throwable failure, String server) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // A client that tried each of a name's addresses keeps each one's failure as a suppressed one.
            for (Throwable attempt : cause.getSuppressed()) {
                Optional<String> described = describe(attempt, server);
                if (described.isPresent()) {
                    return described;
                }
            }
            switch (cause) {
                case ConnectException refused -> {
                    return Optional.of(server + " refused the connection");
                }
                case UnknownHostException unknown -> {
                    return Optional.of("the name of " + server + "'s host does not resolve");
                }
                case SSLException tls -> {
                    return Optional.of("the TLS handshake with " + server + " failed (is its certificate for its host "
                            + "name, and signed by an authority this service trusts?)");
                }
                default -> { } // look further down the chain
            }
        }
        return Optional.empty();
    }
}
