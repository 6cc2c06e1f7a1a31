package dev.mailservice.testkit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** Writes and reads keys of a test etcd exactly as given, as PipesHub or an operator would. */
public final class EtcdTestClient implements AutoCloseable {

    private final Client client;

    public EtcdTestClient(List<String> endpoints) {
        this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    }

    /** A client of {@code https} endpoints whose certificate {@code caFile}'s authority signed. */
    public EtcdTestClient(List<String> endpoints, Path caFile) throws SSLException {
        this.client = Client.builder().endpoints(endpoints.toArray(String[]::new))
                .sslContext(tls -> tls.trustManager(caFile.toFile())).build();
    }

    public void put(String key, String value) throws Exception {
        client.getKVClient().put(bytes(key), bytes(value)).get(30, TimeUnit.SECONDS);
    }

    /** The value of {@code key} as stored, or empty when there is none. */
    public Optional<String> get(String key) throws Exception {
        return client.getKVClient().get(bytes(key)).get(30, TimeUnit.SECONDS).getKvs().stream().findFirst()
                .map(entry -> entry.getValue().toString(StandardCharsets.UTF_8));
    }

    public void delete(String key) throws Exception {
        client.getKVClient().delete(bytes(key)).get(30, TimeUnit.SECONDS);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
