package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetServiceHealth.BackendContact;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The last contact with the backend, as the reloads met it; read by the health use case. */
public final class BackendContacts {

    private final AtomicReference<BackendContact> last = new AtomicReference<>();

    void record(BackendContact contact) {
        last.set(contact);
    }

    Optional<BackendContact> last() {
        return Optional.ofNullable(last.get());
    }
}
