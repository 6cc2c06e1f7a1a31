package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetActiveSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpStatus;
import java.util.Objects;

/** Implements {@link GetActiveSmtpConfiguration} from the state the active sender holds. */
public final class GetActiveSmtpConfigurationService implements GetActiveSmtpConfiguration {

    private final ActiveMailSender sender;

    public GetActiveSmtpConfigurationService(ActiveMailSender sender) {
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    @Override
    public SmtpStatus status() {
        return sender.status();
    }
}
