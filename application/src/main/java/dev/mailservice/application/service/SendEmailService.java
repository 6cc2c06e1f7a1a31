package dev.mailservice.application.service;

import dev.mailservice.application.port.in.SendEmail;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.MailRequest;
import java.util.Objects;

/** Implements {@link SendEmail}: render, then send through the active sender. */
public final class SendEmailService implements SendEmail {

    private final MailRenderer renderer;
    private final ActiveMailSender sender;

    public SendEmailService(MailRenderer renderer, ActiveMailSender sender) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    @Override
    public void send(MailRequest request) {
        MailRenderer.RenderedMail rendered = renderer.render(request);
        sender.send(new MailMessage(request.to(), request.cc(), request.subject().orElse(rendered.defaultSubject()),
                rendered.html(), rendered.text(), request.attachments()));
    }
}
