package dev.mailservice.bench;

import java.io.IOException;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Sends with a subject of their own each, and which of them were answered 200, so that what a server took can be
 * checked send by send: none lost, none twice. What it adds to a call is a counter's increment, a string's
 * concatenation and, for a mail answered 200, a bit set under a lock: nothing beside the HTTP call it wraps.
 */
final class MarkedSends {

    private final String head;
    private final String tail;
    private final LongFunction<String> subject;
    private final AtomicLong next = new AtomicLong();
    /** The markers of the sends answered 200; guarded by itself. */
    private final BitSet answered = new BitSet();

    /**
     * @param mail    a JSON object, the body of every send, which gets a {@code subject} field in front
     * @param subject the subject of the send with a marker; letters, digits and spaces, so that it needs no escaping
     */
    MarkedSends(String mail, LongFunction<String> subject) {
        String object = mail.strip();
        if (!object.startsWith("{") || object.contains("\"subject\"")) {
            throw new IllegalArgumentException("not a JSON object without a subject: " + mail);
        }
        this.head = "{\"subject\": \"";
        this.tail = "\", " + object.substring(1);
        this.subject = subject;
    }

    /** Sends to {@code process}, each call with the next marker. */
    Measurements.Client to(BenchedService process) {
        return process.sendingEach(this::sendNext);
    }

    /** Sends the mail with the next marker over one load client's connection; true when answered 200. */
    private boolean sendNext(BenchedService.Sender sender) throws IOException {
        long marker = next.getAndIncrement();
        boolean ok = sender.send(head + subject.apply(marker) + tail);
        if (ok) {
            synchronized (answered) {
                answered.set(Math.toIntExact(marker));
            }
        }
        return ok;
    }

    /** How many sends were made, answered 200 or not: their markers run from 0 to this, exclusive. */
    long made() {
        return next.get();
    }

    /** The sends answered 200 whose marker is not among those {@code delivered}. */
    long missingFrom(Map<Long, Integer> delivered) {
        synchronized (answered) {
            return answered.stream().filter(marker -> !delivered.containsKey((long) marker)).count();
        }
    }
}
