package dev.mailservice.application.port.in;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Use case: this replica's last sends, newest first, as it keeps them in memory: a bounded number,
 * none when turned off. Other replicas keep their own; the log line each send leaves is the shared
 * history.
 */
public interface GetRecentSends {

    /** The sends kept, newest first. */
    List<RecentSend> recentSends();

    /**
     * One send, as it ended.
     *
     * @param at        when it ended
     * @param template  the template's name, e.g. {@code loginWithOTP}
     * @param subject   the mail's subject; empty when the send ended before the mail was made
     * @param to        the To addresses
     * @param cc        the Cc addresses
     * @param outcome   how it ended: {@code sent}, {@code refused}, {@code temporary failure} ...
     * @param said      the server's reply to the mail when sent, else why it was not (never a secret)
     * @param messageId the mail's Message-ID, when it was sent
     * @param took      how long the send took
     * @param requestId the id of the request that asked for it, when one did
     */
    record RecentSend(Instant at, String template, Optional<String> subject, List<String> to, List<String> cc,
            String outcome, String said, Optional<String> messageId, Duration took, Optional<String> requestId) {

        public RecentSend {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(subject, "subject");
            to = List.copyOf(to);
            cc = List.copyOf(cc);
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(said, "said");
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(took, "took");
            Objects.requireNonNull(requestId, "requestId");
        }
    }
}
