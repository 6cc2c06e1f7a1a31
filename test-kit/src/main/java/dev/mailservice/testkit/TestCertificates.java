package dev.mailservice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority and a server certificate for 127.0.0.1 and localhost signed by it,
 * made with the {@code openssl} command for one test run and valid for two days; and, signed by
 * the same authority, server certificates that are wrong in one way (expired, for another host).
 */
public final class TestCertificates {

    public static final String CA_FILE = "ca.pem";
    public static final String SERVER_CERTIFICATE_FILE = "server.pem";
    public static final String SERVER_KEY_FILE = "server.key";

    /** Protects the key bundles a test writes beside the PEM files; a test secret, not a secret. */
    public static final String BUNDLE_PASSWORD = "test-bundle";

    private TestCertificates() {}

    /** Writes {@link #CA_FILE}, {@link #SERVER_CERTIFICATE_FILE} and {@link #SERVER_KEY_FILE} into {@code directory}. */
    public static void create(Path directory) throws IOException, InterruptedException {
        Files.writeString(directory.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n", StandardCharsets.US_ASCII);
        openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", CA_FILE,
                "-days", "2", "-subj", "/CN=Mail service test authority");
        openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", SERVER_KEY_FILE, "-out", "server.csr",
                "-subj", "/CN=localhost");
        openssl(directory, "x509", "-req", "-in", "server.csr", "-CA", CA_FILE, "-CAkey", "ca.key", "-CAcreateserial",
                "-out", SERVER_CERTIFICATE_FILE, "-days", "2", "-extfile", "server.ext");
    }

    /**
     * Writes {@code name}.pem and {@code name}.key into {@code directory}, where {@link #create} made
     * the authority: a server certificate it signed for {@code names} (e.g. {@code
     * DNS:mail.example.test}), valid for {@code days} from now; a negative number makes one that
     * expired that many days ago.
     */
    public static void createServer(Path directory, String name, String names, int days)
            throws IOException, InterruptedException {
        Files.writeString(directory.resolve(name + ".ext"), "subjectAltName=" + names + "\nbasicConstraints=CA:FALSE\n",
                StandardCharsets.US_ASCII);
        openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name);
        openssl(directory, "x509", "-req", "-in", name + ".csr", "-CA", CA_FILE, "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", Integer.toString(days), "-extfile", name + ".ext");
    }

    /**
     * A TLS context for a server that shows {@code certificate} with its {@code key} (PEM files in
     * {@code directory}), such as {@link #SERVER_CERTIFICATE_FILE} and {@link #SERVER_KEY_FILE}.
     */
    public static SSLContext serving(Path directory, String certificate, String key) throws Exception {
        KeyStore keys = serverKeys(directory, certificate, key);
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, BUNDLE_PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    /**
     * The same {@code certificate} and {@code key} as a PKCS #12 key store, for a server that takes
     * one; its key entry is protected by {@link #BUNDLE_PASSWORD}.
     */
    public static KeyStore serverKeys(Path directory, String certificate, String key) throws Exception {
        String bundle = certificate + ".p12";
        openssl(directory, "pkcs12", "-export", "-in", certificate, "-inkey", key, "-out", bundle,
                "-passout", "pass:" + BUNDLE_PASSWORD);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(directory.resolve(bundle))) {
            keys.load(in, BUNDLE_PASSWORD.toCharArray());
        }
        return keys;
    }

    /** A TLS context that trusts the authority in {@code caFile} alone, as a client given only that authority would. */
    public static SSLContext trustingOnly(Path caFile) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagersOf(caFile).getTrustManagers(), null);
        return context;
    }

    /** Trust managers that trust the authority in {@code caFile} alone. */
    public static TrustManagerFactory trustManagersOf(Path caFile) throws Exception {
        KeyStore authorities = KeyStore.getInstance(KeyStore.getDefaultType());
        authorities.load(null, null);
        try (InputStream pem = Files.newInputStream(caFile)) {
            authorities.setCertificateEntry("test-ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(authorities);
        return trust;
    }

    private static void openssl(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ExternalTools.require("openssl").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", arguments) + " failed: " + output);
        }
    }
}
