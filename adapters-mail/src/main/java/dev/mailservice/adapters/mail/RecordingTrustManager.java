package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpProbe.Problem;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The service's own trust manager, checking a server's certificate exactly as it does for a send,
 * in three parts so that a probe can tell which one failed: the validity dates, the chain up to a
 * trusted authority, then the host name (the JDK checks it against the socket's endpoint
 * identification, which Angus Mail sets with {@code mail.smtp.ssl.checkserveridentity}). The JDK
 * answers all three with one {@link CertificateException} whose message differs by version, so
 * the parts are run one by one rather than the message read. The last part also checks what the
 * TLS session allows (its algorithms), so when it fails the host name is compared here to tell
 * which. It remembers the certificate seen.
 */
final class RecordingTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager trust;
    private final String host;
    private volatile X509Certificate seen;
    private volatile Problem problem;

    /** @param host the host name or IP address connected to, in ASCII */
    RecordingTrustManager(X509ExtendedTrustManager trust, String host) {
        this.trust = trust;
        this.host = host;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkAll(chain, authType, () -> trust.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkAll(chain, authType, () -> trust.checkServerTrusted(chain, authType, engine));
    }

    /** The dates and the chain, then the whole check again, which only the host name or the session's limits can fail now. */
    private void checkAll(X509Certificate[] chain, String authType, Check withHostName) throws CertificateException {
        seen = chain.length > 0 ? chain[0] : null;
        check(chain, authType);
        try {
            withHostName.run();
        } catch (CertificateException e) {
            if (!CertificateNames.named(seen, host)) {
                problem = Problem.HOST_NAME_MISMATCH;
            }
            throw e;
        }
    }

    /** A check of the trust manager's. */
    @FunctionalInterface
    private interface Check {
        void run() throws CertificateException;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        seen = chain.length > 0 ? chain[0] : null;
        check(chain, authType);
    }

    /** The dates, then the chain, without the host name. */
    private void check(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            if (seen != null) {
                seen.checkValidity();
            }
        } catch (CertificateException e) {
            problem = Problem.CERTIFICATE_EXPIRED;
            throw e;
        }
        try {
            trust.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            problem = Problem.CERTIFICATE_UNTRUSTED;
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a client of SMTP checks no client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a client of SMTP checks no client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client of SMTP checks no client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trust.getAcceptedIssuers();
    }

    /** What was wrong with the certificate, if the check failed on it. */
    Optional<Problem> problem() {
        return Optional.ofNullable(problem);
    }

    /** The server's certificate in words: subject, names, issuer, expiry; empty before a handshake. */
    Optional<String> certificate() {
        X509Certificate certificate = seen;
        if (certificate == null) {
            return Optional.empty();
        }
        return Optional.of("certificate of " + certificate.getSubjectX500Principal().getName() + names(certificate)
                + ", issued by " + certificate.getIssuerX500Principal().getName() + ", valid until "
                + Instant.ofEpochMilli(certificate.getNotAfter().getTime()));
    }

    private static String names(X509Certificate certificate) {
        List<String> names = CertificateNames.alternativeNamesOf(certificate);
        return names.isEmpty() ? "" : " (names " + String.join(", ", names) + ")";
    }
}
