package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which host names a certificate's DNS name stands for. */
class CertificateNamesTest {

    @Test
    void aLeftmostWildcardStandsForOneLabel() {
        assertTrue(CertificateNames.matches("*.example.com", "mail.example.com"));
        assertFalse(CertificateNames.matches("*.example.com", "example.com"));
        assertFalse(CertificateNames.matches("*.example.com", "a.mail.example.com"));
    }
}
