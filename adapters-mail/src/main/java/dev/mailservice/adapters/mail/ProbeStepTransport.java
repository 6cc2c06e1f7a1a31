package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpProbe.Capabilities;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * An Angus transport that logs in with the given login, notes when each protocol step ends, which
 * step it is in, and what each EHLO offered; and upgrades with Angus's STARTTLS right after the
 * first EHLO, where Angus itself would. Its times are {@link System#nanoTime()}'s, 0 for a step
 * not reached.
 */
final class ProbeStepTransport extends ConfiguredTransport {

    private static final Capabilities NOTHING = new Capabilities(false, List.of(), OptionalLong.empty());

    /** The transport's {@code requireTls}, which the probe applies itself rather than Angus. */
    private final boolean startTlsRequired;
    private volatile SmtpStep phase = SmtpStep.GREETING;
    private volatile String greeting = "";
    private long greeted;
    private long ehloEnded;
    private long tlsStarted;
    private long lastEhloEnded;
    private long connected;
    /** What the first EHLO offered, before any STARTTLS; null while none was answered. */
    private Capabilities firstEhlo;
    /** What the last EHLO offered: after STARTTLS, what the login may use. */
    private Capabilities lastEhlo;

    ProbeStepTransport(Session session, SmtpConfiguration configuration, SmtpLogin login, SmtpSocket socket,
            boolean startTlsRequired) {
        super(session, configuration, login, socket);
        this.startTlsRequired = startTlsRequired;
    }

    /** The step under way, or the one a failure came in. */
    SmtpStep phase() {
        return phase;
    }

    /** The server's greeting, as it said it; shown only once it proved to speak SMTP. */
    String greeting() {
        return greeting;
    }

    /** When the greeting was read. */
    long greeted() {
        return greeted;
    }

    /** When the first EHLO, or the HELO after it, was answered. */
    long ehloEnded() {
        return ehloEnded;
    }

    /** When STARTTLS began; 0 when it was not run. */
    long tlsStarted() {
        return tlsStarted;
    }

    /** When the last EHLO was answered: after STARTTLS, the end of the TLS step. */
    long lastEhloEnded() {
        return lastEhloEnded;
    }

    /** When Angus's connect ended, the login included. */
    long connected() {
        return connected;
    }

    /** What the server offered before any STARTTLS; null when it answered no EHLO. */
    Capabilities firstEhlo() {
        return firstEhlo;
    }

    /** What the server offers now; nothing after HELO. */
    Capabilities offered() {
        return lastEhlo != null ? lastEhlo : NOTHING;
    }

    /** When the phase a failure came in started. */
    long phaseStarted(long connectStarted) {
        return switch (phase) {
            case GREETING -> connectStarted;
            case EHLO -> greeted;
            case TLS -> tlsStarted != 0 ? tlsStarted : ehloEnded;
            default -> lastEhloEnded;
        };
    }

    @Override
    protected synchronized boolean protocolConnect(String host, int port, String user, String password)
            throws MessagingException {
        boolean done = super.protocolConnect(host, port, user, password);
        connected = System.nanoTime();
        return done;
    }

    @Override
    protected boolean ehlo(String domain) throws MessagingException {
        boolean first = phase == SmtpStep.GREETING;
        if (first) {
            greeted = System.nanoTime();
            greeting = String.valueOf(getLastServerResponse()).strip();
            phase = SmtpStep.EHLO;
        }
        if (!super.ehlo(domain)) {
            // The first refused: Angus tries HELO next (see helo). The one after STARTTLS
            // refused: Angus goes on to AUTH with what the first offered.
            if (!first) {
                lastEhloEnded = System.nanoTime();
                phase = SmtpStep.AUTH;
            }
            return false;
        }
        lastEhloEnded = System.nanoTime();
        lastEhlo = capabilities();
        if (first) {
            ehloEnded = lastEhloEnded;
            firstEhlo = lastEhlo;
            afterHello(firstEhlo.startTls());
        } else {
            phase = SmtpStep.AUTH;
        }
        return true;
    }

    /** Angus's fallback when EHLO was refused: a server that takes HELO offers no extension. */
    @Override
    protected void helo(String domain) throws MessagingException {
        super.helo(domain);
        ehloEnded = System.nanoTime();
        lastEhloEnded = ehloEnded;
        afterHello(false);
    }

    /** After the first EHLO or HELO: STARTTLS, where Angus would run it, or on to AUTH. */
    private void afterHello(boolean startTlsOffered) throws MessagingException {
        phase = !configuration.implicitTls() && (startTlsOffered || startTlsRequired)
                ? SmtpStep.TLS : SmtpStep.AUTH;
        if (phase == SmtpStep.TLS) {
            if (!startTlsOffered) {
                throw new MessagingException("STARTTLS is required but not offered");
            }
            tlsStarted = System.nanoTime();
            startTLS();
            // This EHLO notes its own end, the TLS step's.
            ehlo(getLocalHost());
        }
    }

    private Capabilities capabilities() {
        String size = getExtensionParameter("SIZE");
        return new Capabilities(supportsExtension("STARTTLS"), mechanisms(getExtensionParameter("AUTH")),
                size != null && size.strip().matches("[0-9]{1,18}")
                        ? OptionalLong.of(Long.parseLong(size.strip())) : OptionalLong.empty());
    }

    private static List<String> mechanisms(String authParameter) {
        return authParameter == null || authParameter.isBlank() ? List.of()
                : Arrays.stream(authParameter.strip().split("\\s+")).map(name -> name.toUpperCase(Locale.ROOT)).toList();
    }
}
