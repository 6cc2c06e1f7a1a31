package dev.mailservice.adapters.mail;

import dev.mailservice.adapters.mail.ProbeSteps.StepFailed;
import dev.mailservice.application.port.out.SmtpProbe.Problem;
import dev.mailservice.domain.SmtpStep;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.eclipse.angus.mail.util.SocketFetcher;

/**
 * TLS as one probe meets it: the {@link RecordingTrustManager} under every handshake of the run,
 * which keeps the server's certificate and tells which of its checks failed, and a failed handshake
 * in the words of the TLS step.
 */
final class ProbeTls {

    private final String host;
    private final Duration timeout;
    private final ProbeSteps steps;
    private final RecordingTrustManager certificates;

    /**
     * @param trust   the authorities the transport trusts
     * @param host    the host name or IP address connected to, in ASCII
     * @param timeout the limit of a handshake, for the words of one that timed out
     * @param steps   where a failed handshake is recorded
     */
    ProbeTls(X509ExtendedTrustManager trust, String host, Duration timeout, ProbeSteps steps) {
        this.host = host;
        this.timeout = timeout;
        this.steps = steps;
        this.certificates = new RecordingTrustManager(trust, host);
    }

    /** Makes the run's TLS connections, implicit and after STARTTLS alike, over the recording trust. */
    SSLSocketFactory socketFactory() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {certificates}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers TLS", e);
        }
    }

    /**
     * TLS from the first byte over {@code tcp}, layered with Angus's {@link SocketFetcher} as the
     * transport's is; a failure names no certificate, since the server has not spoken SMTP yet.
     */
    Socket implicit(SmtpSocket tcp, Properties properties, long started) throws StepFailed {
        try {
            return SocketFetcher.startTLS(tcp, host, properties, "mail.smtp");
        } catch (IOException e) {
            throw failure(started, false, e);
        }
    }

    /** The server's certificate in words; empty before a handshake. */
    Optional<String> certificate() {
        return certificates.certificate();
    }

    /**
     * The failure of a TLS handshake. The certificate is named only when {@code spokeSmtp}: a
     * TLS service that is not SMTP must not tell its host names through a probe.
     */
    StepFailed failure(long started, boolean spokeSmtp, Throwable failure) {
        String certificate = spokeSmtp ? certificates.certificate().map(text -> ": " + text).orElse("") : "";
        Optional<Problem> rejected = certificates.problem();
        if (rejected.isPresent()) {
            String why = switch (rejected.get()) {
                case CERTIFICATE_EXPIRED -> "the certificate is expired or not valid yet";
                case HOST_NAME_MISMATCH -> "the certificate is not for " + host;
                default -> "the certificate is not signed by an authority this service trusts";
            };
            return steps.fail(SmtpStep.TLS, started, rejected.get(), why + certificate);
        }
        Throwable cause = FailureDiagnosis.rootCause(failure);
        if (cause instanceof SocketTimeoutException) {
            return steps.fail(SmtpStep.TLS, started, Problem.TIMED_OUT, "no TLS handshake in " + timeout.toMillis()
                    + " ms");
        }
        // The JDK's words for a peer that answered the handshake with something that is not TLS.
        if (cause instanceof SSLException ssl && String.valueOf(ssl.getMessage()).contains("plaintext")
                || String.valueOf(cause.getMessage()).contains("Unsupported or unrecognized SSL message")) {
            return steps.fail(SmtpStep.TLS, started, Problem.PLAIN_TEXT_WHERE_TLS_EXPECTED,
                    "the server answered in plain text where TLS was expected");
        }
        return steps.fail(SmtpStep.TLS, started, Problem.TLS_FAILED, "the TLS handshake failed: "
                + cause.getClass().getSimpleName());
    }
}
