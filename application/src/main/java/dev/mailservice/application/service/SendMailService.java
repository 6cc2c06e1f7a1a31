package dev.mailservice.application.service;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.in.SendMail;
import dev.mailservice.application.port.out.CurrentRequest;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.ServiceMetrics.MailOutcome;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.MailRequest;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Implements {@link SendMail}: send through the active sender, rendering the mail only once the
 * sender has a connection ready for it ({@link MailTransport#send}), and leave one log line a send
 * saying how it ended, and one entry in this replica's {@link RecentSends}. A mail goes to at most
 * {@code maxRecipients} addresses, To and Cc together: the service sends transactional mail, and a
 * request for thousands of recipients is a mistake or an abuse of the sender's reputation.
 */
public final class SendMailService implements SendMail {

    private static final System.Logger LOG = System.getLogger(SendMailService.class.getName());

    private final MailRenderer renderer;
    private final ActiveMailSender sender;
    private final int maxRecipients;
    private final ServiceMetrics metrics;
    private final RecentSends recent;
    private final CurrentRequest currentRequest;
    private final Clock clock;

    /**
     * @param maxRecipients how many addresses a mail may have, To and Cc together; at least 1
     * @param metrics       told how each send ended and how long it took
     * @param recent        keeps each send as it ended, with the request that asked for it ({@code currentRequest})
     */
    public SendMailService(MailRenderer renderer, ActiveMailSender sender, int maxRecipients, ServiceMetrics metrics,
            RecentSends recent, CurrentRequest currentRequest, Clock clock) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.recent = Objects.requireNonNull(recent, "recent");
        this.currentRequest = Objects.requireNonNull(currentRequest, "currentRequest");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxRecipients < 1) {
            throw new IllegalArgumentException("a mail needs room for one recipient at least, got " + maxRecipients);
        }
        this.maxRecipients = maxRecipients;
    }

    @Override
    public void send(MailRequest request) {
        long started = System.nanoTime();
        // Whatever ends a send unexpectedly is a mail that was not delivered, for a reason in the log.
        MailOutcome outcome = MailOutcome.ERROR;
        String said = "an unexpected failure";
        AtomicReference<String> subject = new AtomicReference<>();
        Optional<String> messageId = Optional.empty();
        try {
            MailTransport.Sent sent = sendWithinTheCap(request, subject);
            outcome = MailOutcome.SENT;
            messageId = sent.messageId();
            said = attempts(sent.attempts()) + "; the server said: " + sent.reply();
        } catch (ServiceFailure failure) {
            outcome = outcomeOf(failure);
            said = (failure instanceof DeliveryFailed failed ? attempts(failed.attempts()) + ": " : "")
                    + failure.getMessage();
            throw failure;
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            metrics.mailFinished(request.template().key(), outcome, took);
            // The one line a send leaves, whatever its end; addresses stay out of it.
            LOG.log(outcome == MailOutcome.SENT || outcome == MailOutcome.INVALID ? Level.INFO : Level.WARNING,
                    "Mail {0}: template {1}, {2} recipient(s), {3} ms, {4}", name(outcome), request.template().key(),
                    request.to().size() + request.cc().size(), took.toMillis(), said);
            recent.record(new GetRecentSends.RecentSend(clock.instant(), request.template().key(),
                    Optional.ofNullable(subject.get()), addresses(request.to()), addresses(request.cc()), name(outcome),
                    said, messageId, took, currentRequest.id()));
        }
    }

    private static MailOutcome outcomeOf(ServiceFailure failure) {
        return switch (failure) {
            case InvalidInput invalid -> MailOutcome.INVALID;
            case NotConfigured notConfigured -> MailOutcome.NOT_CONFIGURED;
            case Overloaded overloaded -> MailOutcome.OVERLOADED;
            case DeliveryFailed failed -> switch (failed.ending()) {
                case TEMPORARY -> MailOutcome.TEMPORARY_FAILURE;
                case REFUSED -> MailOutcome.REFUSED;
                case UNCERTAIN -> MailOutcome.UNCERTAIN;
            };
            // No other failure comes of a send; should one, it is no delivery failure of the server's.
            default -> MailOutcome.ERROR;
        };
    }

    private static String attempts(int attempts) {
        return attempts == 1 ? "1 attempt" : attempts + " attempts";
    }

    private static String name(MailOutcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static List<String> addresses(List<EmailAddress> addresses) {
        return addresses.stream().map(EmailAddress::value).toList();
    }

    /** Sends {@code request}, noting the subject of the mail once it is made. */
    private MailTransport.Sent sendWithinTheCap(MailRequest request, AtomicReference<String> subject) {
        int recipients = request.to().size() + request.cc().size();
        if (recipients > maxRecipients) {
            throw new InvalidInput(MailRequest.TO, "may hold at most " + maxRecipients
                    + " addresses with the carbon copies; this mail has " + recipients);
        }
        return sender.send(() -> {
            MailMessage mail = render(request);
            subject.set(mail.subject());
            return mail;
        });
    }

    private MailMessage render(MailRequest request) {
        MailRenderer.RenderedMail rendered = renderer.render(request);
        return new MailMessage(request.to(), request.cc(), request.subject().orElse(rendered.defaultSubject()),
                rendered.html(), rendered.text(), request.attachments());
    }
}
