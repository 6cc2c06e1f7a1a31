package dev.mailservice.adapters.mail;

import java.time.Duration;

/**
 * How many mails a connection to one server may carry: {@link SmtpConnectionPool.Limits#maxMails},
 * or fewer where the server was seen to allow fewer, from its closing connections at their next
 * mail after the same number of mails.
 *
 * <p>Servers set such limits (a few dozen mails, some fewer); the setting is what the pool assumes
 * until it has seen one. Once learned, the pool closes connections when they carried that many,
 * instead of finding each closed under its next mail. What it learned lasts {@link
 * #LEARNED_LIMIT_LASTS} from when it learned it; then it tries the setting again.
 */
final class LearnedMailLimit {

    /** How long idle a connection may have been for its closing to tell of the server's limit of mails, not of idling. */
    private static final Duration A_MOMENT = Duration.ofMillis(250);
    /** How long closes after the same number of mails must go on to teach the pool that number, at least and at most. */
    private static final Duration A_SECOND = Duration.ofSeconds(1);
    private static final Duration LEARNING_WINDOW = Duration.ofMinutes(1);
    /** How long the pool keeps to a limit of mails it learned. */
    static final Duration LEARNED_LIMIT_LASTS = Duration.ofMinutes(5);
    /** The pool's log: what the pool does for the server's sake is told under its name. */
    private static final System.Logger LOG = System.getLogger(SmtpConnectionPool.class.getName());

    private final int setting;
    private final String server;
    /** After how many mails the server closes connections at their next one, and since when it keeps doing so. */
    private int closesAtMails = -1;
    private long closesSince;
    /** How many mails the server was seen to allow a connection, and since when; unbounded while none was seen. */
    private volatile int learnedMaxMails = Integer.MAX_VALUE;
    private volatile long learnedAt;

    /**
     * @param setting how many mails may be begun on a connection, as configured
     * @param server  the server's address, for messages
     */
    LearnedMailLimit(int setting, String server) {
        this.setting = setting;
        this.server = server;
    }

    /** How many mails may be begun on a connection {@code now}: the setting, or fewer where the server allows fewer. */
    int maxMails(long now) {
        int learned = learnedMaxMails;
        return learned < setting && now - learnedAt <= LEARNED_LIMIT_LASTS.toNanos() ? learned : setting;
    }

    /**
     * Notes that the server closed a connection at its next mail (a 421, or the end of the stream), after
     * {@code mails} mails begun before that one, and when lent it had been idle {@code idleBeforeLent}: only a
     * moment (so not closed for idling). When the server keeps doing so after the same number of mails for a
     * second or more, that number is taken as its limit. A burst of closes at once (a server restarted under
     * load closes every connection, at whatever count each had) teaches nothing.
     */
    synchronized void closedAfter(int mails, long idleBeforeLent, long now) {
        if (idleBeforeLent > A_MOMENT.toNanos() || mails < 1) {
            return;
        }
        if (mails != closesAtMails || now - closesSince > LEARNING_WINDOW.toNanos()) {
            closesAtMails = mails;
            closesSince = now;
        } else if (now - closesSince >= A_SECOND.toNanos() && mails < maxMails(now)) {
            learnedAt = now;
            learnedMaxMails = mails;
            LOG.log(System.Logger.Level.INFO,
                    "The SMTP server {0} closes a connection after {1} mails; closing them after {1} from now on",
                    server, mails);
        }
    }
}
