package dev.mailservice.bootstrap;

import com.google.common.base.Suppliers;
import dev.mailservice.adapters.mail.DeferredSslSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities every TLS client of the service trusts (SMTP, etcd, Redis): the
 * JDK's own, and those of {@code TLS_CA_FILE} when it is set. The file is read at start-up, so
 * that a missing or malformed one stops the service naming the variable; the trust itself is
 * built when a TLS client first needs it, so that a service without TLS does not pay for loading
 * the JDK's authorities at start (docs/benchmark.md, "Start-up").
 */
final class TrustedAuthorities {

    private final List<Certificate> deploymentAuthorities;
    /** Built by the first call, once; a build that failed is tried again by the next. */
    private final Supplier<Trust> trust;

    private record Trust(TrustManagerFactory trustManagers, SSLContext sslContext) {}

    private TrustedAuthorities(List<Certificate> deploymentAuthorities) {
        this.deploymentAuthorities = deploymentAuthorities;
        this.trust = Suppliers.memoize(() -> build(deploymentAuthorities));
    }

    /** The JDK's authorities, and those in {@code caFile} if given. */
    static TrustedAuthorities of(Optional<Path> caFile) {
        return new TrustedAuthorities(caFile.map(TrustedAuthorities::read).orElse(List.of()));
    }

    /** The trust managers that check a server's certificate. */
    TrustManagerFactory trustManagers() {
        return trust.get().trustManagers();
    }

    /** A TLS context with {@link #trustManagers()}. */
    SSLContext sslContext() {
        return trust.get().sslContext();
    }

    /**
     * For Jakarta Mail and the OAuth 2.0 token requests: empty when only the JDK's authorities are
     * trusted, for them to use the JDK's own factory; else one made on first use, as the trust is.
     */
    Optional<SSLSocketFactory> smtpSocketFactory() {
        return deploymentAuthorities.isEmpty() ? Optional.empty()
                : Optional.of(new DeferredSslSocketFactory(() -> sslContext().getSocketFactory()));
    }

    private static Trust build(List<Certificate> deploymentAuthorities) {
        try {
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            TrustManagerFactory trustManagers = jdk;
            if (!deploymentAuthorities.isEmpty()) {
                KeyStore authorities = KeyStore.getInstance(KeyStore.getDefaultType());
                authorities.load(null, null);
                int index = 0;
                for (X509Certificate authority : jdkTrustManager(jdk).getAcceptedIssuers()) {
                    authorities.setCertificateEntry("jdk-" + index++, authority);
                }
                index = 0;
                for (Certificate authority : deploymentAuthorities) {
                    authorities.setCertificateEntry(Settings.TLS_CA_FILE + "-" + index++, authority);
                }
                trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(authorities);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return new Trust(trustManagers, context);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot set up the trusted certificate authorities: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager jdkTrustManager(TrustManagerFactory factory) {
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK offers no X.509 trust manager");
    }

    private static List<Certificate> read(Path caFile) {
        Collection<? extends Certificate> certificates;
        try (InputStream pem = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(pem);
        } catch (IOException e) {
            throw new InvalidSettingsException(Settings.TLS_CA_FILE + " cannot be read: " + caFile + " ("
                    + e.getClass().getSimpleName() + ")");
        } catch (CertificateException e) {
            throw new InvalidSettingsException(Settings.TLS_CA_FILE + " must hold PEM certificates: " + caFile
                    + " does not (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw new InvalidSettingsException(Settings.TLS_CA_FILE + " holds no certificate: " + caFile);
        }
        return List.copyOf(certificates);
    }
}
