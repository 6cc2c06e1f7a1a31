package dev.mailservice.adapters.mail;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the SMTP transports of one factory hold and have done, summed over every server: their
 * connection pools, and the attempts their mails took.
 */
public final class SmtpMeters {

    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger allowed = new AtomicInteger();
    private final LongAdder opened = new LongAdder();
    private final LongAdder waited = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final Map<SmtpFailure.Reason, LongAdder> retries = new EnumMap<>(SmtpFailure.Reason.class);

    SmtpMeters() {
        for (SmtpFailure.Reason cause : SmtpFailure.Reason.values()) {
            if (cause.triedAgain()) {
                retries.put(cause, new LongAdder());
            }
        }
    }

    /** Connections lent to a send right now. */
    public int busy() {
        return busy.get();
    }

    /** Connections open and waiting for the next send. */
    public int idle() {
        return idle.get();
    }

    /**
     * Connections the pools may open now: the pool size for each server and user sent to, less
     * where a server refused connections beyond its own limit.
     */
    public int allowed() {
        return allowed.get();
    }

    /** Connections opened (and logged in) so far. */
    public long opened() {
        return opened.sum();
    }

    /** Sends that found every connection busy and had to wait for one. */
    public long waited() {
        return waited.sum();
    }

    /** Attempts at mails so far, first ones and retries. */
    public long attempts() {
        return attempts.sum();
    }

    /**
     * Why a mail may be tried again, each by its name in the meters: {@code connection_closed} (a
     * kept connection the server had closed, found at the next mail), {@code connection_failed} (no
     * connection could be made or kept up to the end of the mail), {@code temporary_refusal} (a 4xx
     * reply), {@code recipient_limit} (the server takes fewer recipients a mail).
     */
    public List<String> retryCauses() {
        return retries.keySet().stream().map(SmtpMeters::name).toList();
    }

    /** Mails tried again for the cause named {@code cause} (one of {@link #retryCauses()}) so far. */
    public long retries(String cause) {
        return retries.get(SmtpFailure.Reason.valueOf(cause.toUpperCase(Locale.ROOT))).sum();
    }

    void lent(int change) {
        busy.addAndGet(change);
    }

    void kept(int change) {
        idle.addAndGet(change);
    }

    void allowedChanged(int change) {
        allowed.addAndGet(change);
    }

    void connectionOpened() {
        opened.increment();
    }

    void sendWaited() {
        waited.increment();
    }

    private static String name(SmtpFailure.Reason cause) {
        return cause.name().toLowerCase(Locale.ROOT);
    }

    void attempted() {
        attempts.increment();
    }

    void retried(SmtpFailure.Reason cause) {
        retries.get(cause).increment();
    }
}
