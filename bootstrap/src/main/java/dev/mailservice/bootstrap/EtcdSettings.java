package dev.mailservice.bootstrap;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to reach etcd, with PipesHub's names and defaults.
 *
 * @param endpoints   {@code ETCD_ENDPOINTS} (a cluster), else {@code ETCD_HOST} and {@code ETCD_PORT}
 *                    as PipesHub names them: client URLs of the members
 * @param dialTimeout {@code ETCD_DIAL_TIMEOUT}: limit for connecting and for every call
 * @param secretKey   {@code SECRET_KEY}: what values in etcd are encrypted with
 * @param secretsWait {@code ETCD_SECRETS_WAIT_MS}: how long start-up waits for etcd when the
 *                    token secrets must come from it
 */
record EtcdSettings(List<URI> endpoints, Duration dialTimeout, Secret secretKey, Duration secretsWait) {

    static final String ETCD_ENDPOINTS = "ETCD_ENDPOINTS";
    static final String ETCD_HOST = "ETCD_HOST";
    static final String ETCD_PORT = "ETCD_PORT";
    static final String ETCD_DIAL_TIMEOUT = "ETCD_DIAL_TIMEOUT";
    static final String ETCD_SECRETS_WAIT_MS = "ETCD_SECRETS_WAIT_MS";

    static final String DEFAULT_ETCD_HOST = "http://localhost";
    static final int DEFAULT_ETCD_PORT = 2379;
    static final long DEFAULT_ETCD_DIAL_TIMEOUT_MS = 2_000;
    static final long DEFAULT_ETCD_SECRETS_WAIT_MS = 60_000;

    EtcdSettings {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(dialTimeout, "dialTimeout");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(secretsWait, "secretsWait");
    }

    /**
     * Reads these settings from {@code environment}, applying the defaults.
     *
     * Refuses, in {@code environment}, each variable that is missing or wrong.
     */
    static EtcdSettings read(Environment environment) {
        return new EtcdSettings(endpoints(environment),
                environment.milliseconds(ETCD_DIAL_TIMEOUT, DEFAULT_ETCD_DIAL_TIMEOUT_MS),
                BackendSettings.secretKey(environment, "etcd", "etcd"),
                environment.milliseconds(ETCD_SECRETS_WAIT_MS, DEFAULT_ETCD_SECRETS_WAIT_MS));
    }

    /** {@code ETCD_ENDPOINTS} when set (a cluster), else {@code ETCD_HOST:ETCD_PORT} as PipesHub names them. */
    private static List<URI> endpoints(Environment environment) {
        String list = environment.get(ETCD_ENDPOINTS);
        if (list != null && !list.isBlank()) {
            List<URI> endpoints = new ArrayList<>();
            for (String endpoint : list.split(",")) {
                if (!endpoint.isBlank()) {
                    endpoints.add(endpoint(environment, ETCD_ENDPOINTS, endpoint.strip()));
                }
            }
            return endpoints;
        }
        String host = environment.valueOr(ETCD_HOST, DEFAULT_ETCD_HOST);
        if (!host.contains("://")) {
            host = "http://" + host;
        }
        int port = environment.wholeNumber(ETCD_PORT, DEFAULT_ETCD_PORT, 1, 65_535);
        return List.of(endpoint(environment, ETCD_HOST, host.replaceAll("/+$", "") + ":" + port));
    }

    private static URI endpoint(Environment environment, String name, String value) {
        try {
            URI uri = new URI(value);
            // No user or password in the URL: the client would not use them, and the URL is logged.
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getPort() > 0 && uri.getRawUserInfo() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        return environment.refuse(name + " must give etcd URLs like http://etcd:2379, without credentials, got '"
                + Environment.quotable(value) + "'", URI.create(DEFAULT_ETCD_HOST + ":" + DEFAULT_ETCD_PORT));
    }
}
