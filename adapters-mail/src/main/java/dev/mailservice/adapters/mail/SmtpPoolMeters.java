package dev.mailservice.adapters.mail;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the SMTP connection pools of one factory hold and have done, summed over every server. */
public final class SmtpPoolMeters {

    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final LongAdder opened = new LongAdder();
    private final LongAdder waited = new LongAdder();

    /** Connections lent to a send right now. */
    public int busy() {
        return busy.get();
    }

    /** Connections open and waiting for the next send. */
    public int idle() {
        return idle.get();
    }

    /** Connections opened (and logged in) so far. */
    public long opened() {
        return opened.sum();
    }

    /** Sends that found every connection busy and had to wait for one. */
    public long waited() {
        return waited.sum();
    }

    void lent(int change) {
        busy.addAndGet(change);
    }

    void kept(int change) {
        idle.addAndGet(change);
    }

    void connectionOpened() {
        opened.increment();
    }

    void sendWaited() {
        waited.increment();
    }
}
