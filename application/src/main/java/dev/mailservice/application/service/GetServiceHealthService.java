package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetServiceHealth;
import dev.mailservice.application.port.in.SmtpStatus;
import java.util.Objects;
import java.util.Optional;

/** Implements {@link GetServiceHealth} from the active sender and the last contact with the backend. */
public final class GetServiceHealthService implements GetServiceHealth {

    private final ActiveMailSender sender;
    private final BackendContacts contacts;

    public GetServiceHealthService(ActiveMailSender sender, BackendContacts contacts) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.contacts = Objects.requireNonNull(contacts, "contacts");
    }

    @Override
    public ServiceHealth health() {
        Optional<SmtpStatus.Applied> active = sender.status().active();
        return new ServiceHealth(active.isPresent(), active.map(SmtpStatus.Applied::appliedAt), contacts.last());
    }
}
