package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Connection pools shared by every transport that reaches the same server as the same user with
 * the same credentials.
 *
 * <p>Configurations that differ only in {@code fromEmail} send over the same connections (the
 * envelope sender is taken from each message), so changing the sender address reopens nothing.
 * A change of server or credentials gets a pool of its own: a connection logged in with old
 * credentials is never reused for new ones. Access tokens are told apart by the {@link
 * SmtpCredentials} that give them, which the core keeps across reloads that keep the login. A pool
 * closes when the last transport using it does.
 */
final class SharedSmtpPools {

    /**
     * What a connection depends on.
     *
     * @param login the password, or the {@link Same} credentials that give the access tokens
     */
    record Key(String host, int port, boolean implicitTls, Optional<String> username, Object login) {

        static Key of(SmtpConfiguration configuration, SmtpCredentials credentials) {
            Object login = credentials.accessToken() ? new Same(credentials) : configuration.password();
            return new Key(configuration.host(), configuration.port(), configuration.implicitTls(),
                    configuration.username(), login);
        }
    }

    /** Equal only to itself for the same instance, whatever that instance's own {@code equals} says. */
    record Same(Object instance) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Same same && same.instance == instance;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(instance);
        }
    }

    private record Shared(SmtpConnectionPool pool, int users) {}

    private final Map<Key, Shared> pools = new HashMap<>();

    /** The pool for {@code key}, made by {@code create} if none is open; release it with {@link #release}. */
    synchronized SmtpConnectionPool acquire(Key key, Function<Key, SmtpConnectionPool> create) {
        Shared shared = pools.get(key);
        SmtpConnectionPool pool = shared == null ? create.apply(key) : shared.pool();
        pools.put(key, new Shared(pool, shared == null ? 1 : shared.users() + 1));
        return pool;
    }

    /** Runs {@code action} on every open pool. */
    void forEach(Consumer<SmtpConnectionPool> action) {
        List<SmtpConnectionPool> open;
        synchronized (this) {
            open = pools.values().stream().map(Shared::pool).toList();
        }
        open.forEach(action);
    }

    /** One user fewer for {@code key}'s pool; the last one closes it. */
    synchronized void release(Key key) {
        Shared shared = pools.get(key);
        if (shared == null) {
            throw new IllegalStateException("released a pool that was not acquired");
        }
        if (shared.users() == 1) {
            pools.remove(key);
            shared.pool().close();
        } else {
            pools.put(key, new Shared(shared.pool(), shared.users() - 1));
        }
    }
}
