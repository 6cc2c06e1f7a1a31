package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetServiceHealth;
import dev.mailservice.application.port.in.SmtpStatus;
import java.util.Objects;
import java.util.Optional;

/** Implements {@link GetServiceHealth} from the {@link SmtpStatusBoard}. */
public final class GetServiceHealthService implements GetServiceHealth {

    private final SmtpStatusBoard board;

    public GetServiceHealthService(SmtpStatusBoard board) {
        this.board = Objects.requireNonNull(board, "board");
    }

    @Override
    public ServiceHealth health() {
        Optional<SmtpStatus.Applied> active = board.active();
        return new ServiceHealth(active.isPresent(), active.map(SmtpStatus.Applied::appliedAt), board.lastBackendContact());
    }
}
