package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedAuthoritiesTest {

    @TempDir
    Path directory;

    private static List<String> trustedSubjects(TrustedAuthorities authorities) {
        X509TrustManager manager = (X509TrustManager) authorities.trustManagers().getTrustManagers()[0];
        return Arrays.stream(manager.getAcceptedIssuers()).map(X509Certificate::getSubjectX500Principal)
                .map(Object::toString).toList();
    }

    @Test
    void withoutACaFileTheJdksAuthoritiesAreTrusted() {
        List<String> subjects = trustedSubjects(TrustedAuthorities.of(Optional.empty()));

        assertTrue(subjects.size() > 10, subjects.toString());
    }

    @Test
    void aCaFileAddsItsAuthoritiesToTheJdksOwn() throws Exception {
        TestCertificates.create(directory);
        int jdkOnly = trustedSubjects(TrustedAuthorities.of(Optional.empty())).size();

        List<String> subjects = trustedSubjects(TrustedAuthorities.of(Optional.of(directory.resolve(TestCertificates.CA_FILE))));

        assertEquals(jdkOnly + 1, subjects.size());
        assertTrue(subjects.contains("CN=Mail service test authority"), subjects.toString());
    }

    @Test
    void mailUsesItsOwnTrustUnlessTheDeploymentAddsAuthorities() throws Exception {
        TestCertificates.create(directory);

        assertTrue(TrustedAuthorities.of(Optional.empty()).smtpSocketFactory().isEmpty());
        assertTrue(TrustedAuthorities.of(Optional.of(directory.resolve(TestCertificates.CA_FILE))).smtpSocketFactory()
                .isPresent());
    }

    @Test
    void aMissingCaFileIsRefusedByName() {
        InvalidSettingsException refusal = assertThrows(InvalidSettingsException.class,
                () -> TrustedAuthorities.of(Optional.of(directory.resolve("missing.pem"))));

        assertTrue(refusal.getMessage().startsWith("TLS_CA_FILE cannot be read: "), refusal.getMessage());
    }

    @Test
    void aFileWithoutCertificatesIsRefusedByName() throws Exception {
        Path notPem = Files.writeString(directory.resolve("not.pem"), "this is not a certificate\n");

        InvalidSettingsException refusal = assertThrows(InvalidSettingsException.class,
                () -> TrustedAuthorities.of(Optional.of(notPem)));

        assertTrue(refusal.getMessage().startsWith("TLS_CA_FILE "), refusal.getMessage());
    }
}
