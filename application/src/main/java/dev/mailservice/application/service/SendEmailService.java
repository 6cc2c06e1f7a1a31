package dev.mailservice.application.service;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.SendEmail;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.ServiceMetrics.MailOutcome;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.MailRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * Implements {@link SendEmail}: send through the active sender, rendering the mail only once the
 * sender has a connection ready for it ({@link MailTransport#send}). A mail goes to at most
 * {@code maxRecipients} addresses, To and Cc together: the service sends transactional mail, and a
 * request for thousands of recipients is a mistake or an abuse of the sender's reputation.
 */
public final class SendEmailService implements SendEmail {

    private final MailRenderer renderer;
    private final ActiveMailSender sender;
    private final int maxRecipients;
    private final ServiceMetrics metrics;

    /**
     * @param maxRecipients how many addresses a mail may have, To and Cc together; at least 1
     * @param metrics       told how each send ended and how long it took
     */
    public SendEmailService(MailRenderer renderer, ActiveMailSender sender, int maxRecipients, ServiceMetrics metrics) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        if (maxRecipients < 1) {
            throw new IllegalArgumentException("a mail needs room for one recipient at least, got " + maxRecipients);
        }
        this.maxRecipients = maxRecipients;
    }

    @Override
    public void send(MailRequest request) {
        long started = System.nanoTime();
        // Whatever ends a send before it went, unexpectedly too, is a mail that was not delivered.
        MailOutcome outcome = MailOutcome.DELIVERY_FAILED;
        try {
            sendWithinTheCap(request);
            outcome = MailOutcome.SENT;
        } catch (ServiceFailure failure) {
            outcome = switch (failure) {
                case InvalidInput invalid -> MailOutcome.INVALID;
                case NotConfigured notConfigured -> MailOutcome.NOT_CONFIGURED;
                case Overloaded overloaded -> MailOutcome.OVERLOADED;
                case DeliveryFailed failed -> MailOutcome.DELIVERY_FAILED;
                case BackendUnavailable unavailable -> MailOutcome.DELIVERY_FAILED;
                case WriteConflict conflict -> MailOutcome.DELIVERY_FAILED;
            };
            throw failure;
        } finally {
            metrics.mailFinished(request.template().key(), outcome, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private void sendWithinTheCap(MailRequest request) {
        int recipients = request.to().size() + request.cc().size();
        if (recipients > maxRecipients) {
            throw new InvalidInput(MailRequest.TO, MailRequest.TO + " may hold at most " + maxRecipients
                    + " addresses with the carbon copies; this mail has " + recipients);
        }
        sender.send(() -> render(request));
    }

    private MailMessage render(MailRequest request) {
        MailRenderer.RenderedMail rendered = renderer.render(request);
        return new MailMessage(request.to(), request.cc(), request.subject().orElse(rendered.defaultSubject()),
                rendered.html(), rendered.text(), request.attachments());
    }
}
