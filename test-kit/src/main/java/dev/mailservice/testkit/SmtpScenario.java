package dev.mailservice.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import javax.net.ssl.SSLContext;

/**
 * How a {@link FaultSmtpServer} behaves; each rule is off until set. A rule's predicate sees the {@link Moment}
 * of the command it answers. Beside the rules, the words they are given in: a {@link Greeting}, a
 * {@link Farewell}.
 *
 * <p>The rules are fields the server's conversations read as they stand, one conversation a connection.
 */
public final class SmtpScenario {

    Duration idleLimit;
    Farewell idleFarewell = Farewell.QUIET;
    int mailsPerConnection;
    Farewell mailsFarewell = Farewell.QUIET;
    Predicate<Moment> mailFromRefused = moment -> false;
    String mailFromReply;
    Predicate<Moment> recipientRefused = moment -> false;
    String recipientReply;
    int recipientsPerMail;
    Predicate<Moment> dotRefused = moment -> false;
    String dotReply;
    Predicate<Moment> resetAfterDot = moment -> false;
    String resetReply = "250 2.0.0 Ok";
    String quitReply = "221 2.0.0 Bye";
    /** The reply to a login whose exchange is complete, instead of the one its credentials earn; null for that one. */
    String loginReply;
    /** When the login's reply is {@link #loginReply}. */
    Predicate<Moment> loginReplied = moment -> true;
    /** Whether the connection is closed after {@link #loginReply}. */
    boolean closesAfterLoginReply;
    IntPredicate greetingChanged = connection -> false;
    Greeting greeting;
    boolean endlessEhlo;
    boolean closesAfterRefusals;
    final Map<String, Predicate<Moment>> resets = new ConcurrentHashMap<>();
    final Map<String, Predicate<Moment>> closes = new ConcurrentHashMap<>();
    final Map<String, Pause> pauses = new ConcurrentHashMap<>();
    SSLContext startTls;
    SSLContext implicitTls;
    String username;
    String password;

    /** A moment of a conversation, for a scenario to decide by; every count starts at 1. */
    public record Moment(int connection, int mailOnConnection, int mail, int recipient) {}

    /** How a server ends a connection of its own accord. */
    public enum Farewell {
        /** It closes the connection without a word. */
        QUIET,
        /** It says {@code 421} first, as RFC 5321 asks. */
        SAY_421
    }

    /** What a greeting is. */
    public sealed interface Greeting {

        /** Replies {@code reply}; one that starts with 421 then closes the connection. */
        record Reply(String reply) implements Greeting {}

        /** {@code 220 }, then bytes without end of line, as fast as the client takes them. */
        record EndlessLine() implements Greeting {}

        /** {@code 220-} lines without a last one, as fast as the client takes them. */
        record EndlessLines() implements Greeting {}

        /** A {@code 220-please wait} line every {@code every}, without a last one. */
        record Trickle(Duration every) implements Greeting {}
    }

    /** A wait of {@code pause} before a command's answer, when {@code when} holds. */
    record Pause(Predicate<Moment> when, Duration pause) {}

    /** A server that behaves. */
    public static SmtpScenario behaving() {
        return new SmtpScenario();
    }

    /** Closes a connection that waited {@code limit} for the client's next command. */
    public SmtpScenario closesIdleConnectionsAfter(Duration limit, Farewell farewell) {
        this.idleLimit = Objects.requireNonNull(limit, "limit");
        this.idleFarewell = farewell;
        return this;
    }

    /** Closes a connection once it has accepted {@code mails} mails on it. */
    public SmtpScenario closesConnectionsAfterMails(int mails, Farewell farewell) {
        this.mailsPerConnection = mails;
        this.mailsFarewell = farewell;
        return this;
    }

    /** Answers MAIL FROM with {@code reply} when {@code when} holds. */
    public SmtpScenario answersMailFrom(Predicate<Moment> when, String reply) {
        this.mailFromRefused = when;
        this.mailFromReply = reply;
        return this;
    }

    /** Answers RCPT TO with {@code reply} when {@code when} holds. */
    public SmtpScenario answersRecipient(Predicate<Moment> when, String reply) {
        this.recipientRefused = when;
        this.recipientReply = reply;
        return this;
    }

    /** Takes at most {@code count} recipients a mail, answering {@code 452} to the next ones. */
    public SmtpScenario takesRecipientsPerMail(int count) {
        this.recipientsPerMail = count;
        return this;
    }

    /** Answers the end-of-data dot with {@code reply}, and keeps nothing, when {@code when} holds. */
    public SmtpScenario answersDot(Predicate<Moment> when, String reply) {
        this.dotRefused = when;
        this.dotReply = reply;
        return this;
    }

    /** Answers every RSET with {@code reply}, in place of 250. */
    public SmtpScenario answersReset(String reply) {
        this.resetReply = reply;
        return this;
    }

    /** Answers every QUIT with {@code reply}, in place of 221, and closes the connection. */
    public SmtpScenario answersQuit(String reply) {
        this.quitReply = reply;
        return this;
    }

    /** Keeps the mail, then resets the connection without a reply to the dot, when {@code when} holds. */
    public SmtpScenario resetsAfterDot(Predicate<Moment> when) {
        this.resetAfterDot = when;
        return this;
    }

    /** Greets the connections whose number {@code which} accepts with {@code greeting}. */
    public SmtpScenario greets(IntPredicate which, Greeting greeting) {
        this.greetingChanged = which;
        this.greeting = greeting;
        return this;
    }

    /** Closes the connection after each refusal it answers with (a 4xx or 5xx reply), as some servers do. */
    public SmtpScenario closesAfterEachRefusal() {
        this.closesAfterRefusals = true;
        return this;
    }

    /**
     * Resets the connection instead of answering the command {@code verb} ({@code MAIL}, {@code RCPT},
     * {@code DATA}, {@code AUTH} ...) when {@code when} holds; for MAIL the moment counts that mail, for RCPT
     * that recipient.
     */
    public SmtpScenario resetsAt(String verb, Predicate<Moment> when) {
        resets.put(verb, when);
        return this;
    }

    /** Closes the connection, with the usual goodbye of TCP and no reply, instead of answering {@code verb} when {@code when} holds. */
    public SmtpScenario closesAt(String verb, Predicate<Moment> when) {
        closes.put(verb, when);
        return this;
    }

    /**
     * Waits {@code pause} before it answers the command {@code verb} when {@code when} holds; {@code "."}
     * for the end of a mail, which it keeps, and then closes the connection without a reply.
     */
    public SmtpScenario pausesBefore(String verb, Predicate<Moment> when, Duration pause) {
        pauses.put(verb, new Pause(when, pause));
        return this;
    }

    /** Answers EHLO with {@code 250-} lines without a last one. */
    public SmtpScenario answersEhloEndlessly() {
        this.endlessEhlo = true;
        return this;
    }

    /** Offers STARTTLS with {@code tls}'s certificate, and AUTH only after it. */
    public SmtpScenario startTls(SSLContext tls) {
        this.startTls = tls;
        return this;
    }

    /** Speaks TLS from the first byte with {@code tls}'s certificate. */
    public SmtpScenario implicitTls(SSLContext tls) {
        this.implicitTls = tls;
        return this;
    }

    /** Answers every login, once its credentials are given, with {@code reply}, and takes none. */
    public SmtpScenario answersLogin(String reply) {
        this.loginReply = reply;
        return this;
    }

    /**
     * Answers a login, when {@code when} holds, with {@code reply} (a part of one, say) and closes the
     * connection; the other logins are answered as their credentials earn.
     */
    public SmtpScenario answersLoginThenCloses(Predicate<Moment> when, String reply) {
        this.loginReply = reply;
        this.loginReplied = when;
        this.closesAfterLoginReply = true;
        return this;
    }

    /** Requires AUTH PLAIN or LOGIN as {@code username} with {@code password} before mail. */
    public SmtpScenario login(String username, String password) {
        this.username = username;
        this.password = password;
        return this;
    }

    /**
     * Holds for about {@code percent} of the counts {@code count} reads off a moment, the same ones
     * in every run: a stand-in for "now and then" that a test can repeat.
     */
    public static Predicate<Moment> some(int percent, ToIntFunction<Moment> count) {
        return moment -> Math.floorMod(mix(count.applyAsInt(moment)), 100) < percent;
    }

    private static int mix(int value) {
        int h = value * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
