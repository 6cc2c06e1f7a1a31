package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mailservice.application.port.out.SmtpProbe.Problem;
import dev.mailservice.testkit.TestCertificates;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which part of the certificate check failed, when the last part can fail for more than the host name. */
class RecordingTrustManagerTest {

    @TempDir
    static Path directory;
    /** Made for IP:127.0.0.1 and DNS:localhost. */
    private static X509Certificate localhost;

    @BeforeAll
    static void makeCertificate() throws Exception {
        TestCertificates.create(directory);
        try (InputStream pem = Files.newInputStream(directory.resolve(TestCertificates.SERVER_CERTIFICATE_FILE))) {
            localhost = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
        }
    }

    @Test
    void onlyACertificateForAnotherHostIsAHostNameMismatchWhenTheCheckWithTheConnectionFails() {
        Map<String, Optional<Problem>> expected = Map.of("127.0.0.1", Optional.empty(), "localhost", Optional.empty(),
                "LOCALHOST.", Optional.empty(), "127.0.0.2", Optional.of(Problem.HOST_NAME_MISMATCH),
                "mail.localhost", Optional.of(Problem.HOST_NAME_MISMATCH),
                "example.com", Optional.of(Problem.HOST_NAME_MISMATCH));
        expected.forEach((host, problem) -> {
            RecordingTrustManager check = new RecordingTrustManager(new RefusingWithASocket(), host);

            assertThrows(CertificateException.class,
                    () -> check.checkServerTrusted(new X509Certificate[] {localhost}, "RSA", (Socket) null));

            assertEquals(problem, check.problem(), host);
        });
    }

    /**
     * Trusts a chain checked alone, and refuses it checked with the connection, as the JDK does
     * when the TLS session's algorithm constraints refuse a certificate.
     */
    private static final class RefusingWithASocket extends X509ExtendedTrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("Algorithm constraints check failed");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("Algorithm constraints check failed");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
