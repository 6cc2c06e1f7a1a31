package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.SmtpStatus;
import java.util.Objects;

/** Implements {@link GetSmtpStatus} from the {@link SmtpStatusBoard} and the active login's tokens ({@link SmtpLogins}). */
public final class GetSmtpStatusService implements GetSmtpStatus {

    private final SmtpStatusBoard board;
    private final SmtpLogins logins;

    public GetSmtpStatusService(SmtpStatusBoard board, SmtpLogins logins) {
        this.board = Objects.requireNonNull(board, "board");
        this.logins = Objects.requireNonNull(logins, "logins");
    }

    @Override
    public SmtpStatus status() {
        return board.status().withOAuth2Token(logins.activeTokens());
    }
}
