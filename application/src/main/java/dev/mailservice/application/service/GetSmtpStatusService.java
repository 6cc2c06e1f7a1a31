package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.SmtpStatus;
import java.util.Objects;

/** Implements {@link GetSmtpStatus} from the {@link SmtpStatusBoard}, which holds the active configuration with its tokens. */
public final class GetSmtpStatusService implements GetSmtpStatus {

    private final SmtpStatusBoard board;

    public GetSmtpStatusService(SmtpStatusBoard board) {
        this.board = Objects.requireNonNull(board, "board");
    }

    @Override
    public SmtpStatus status() {
        return board.status();
    }
}
