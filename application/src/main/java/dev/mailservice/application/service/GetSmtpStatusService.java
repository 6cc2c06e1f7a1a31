package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.SmtpStatus;
import java.util.Objects;

/** Implements {@link GetSmtpStatus} from the state the active sender holds. */
public final class GetSmtpStatusService implements GetSmtpStatus {

    private final ActiveMailSender sender;

    public GetSmtpStatusService(ActiveMailSender sender) {
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    @Override
    public SmtpStatus status() {
        return sender.status();
    }
}
