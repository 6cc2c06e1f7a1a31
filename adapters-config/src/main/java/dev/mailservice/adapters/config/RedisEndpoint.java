package dev.mailservice.adapters.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How to reach one Redis server, as PipesHub's {@code REDIS_*} variables give it.
 *
 * @param host     {@code REDIS_HOST}
 * @param port     {@code REDIS_PORT}
 * @param database {@code REDIS_DB}: the logical database
 * @param username {@code REDIS_USERNAME}: an ACL user; empty for the default user
 * @param password {@code REDIS_PASSWORD}: the user's password, or {@code requirepass}'s
 * @param tls      present with {@code REDIS_TLS=true}: the TLS context (with the trusted authorities)
 * @param timeout  {@code REDIS_TIMEOUT}: limit for connecting and for every call
 */
public record RedisEndpoint(String host, int port, int database, Optional<String> username, Optional<String> password,
        Optional<SSLContext> tls, Duration timeout) {

    public RedisEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** {@code redis://host:port/db}, or {@code rediss://} with TLS; never the credentials. */
    public String address() {
        return (tls.isPresent() ? "rediss" : "redis") + "://" + host + ":" + port + "/" + database;
    }

    /** The address and the user, without the password. */
    @Override
    public String toString() {
        return "RedisEndpoint[" + address() + username.map(user -> ", user " + user).orElse("") + ", timeout="
                + timeout + "]";
    }
}
