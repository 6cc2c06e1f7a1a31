package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetRecentSends;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Implements {@link GetRecentSends}: the last {@code capacity} sends of this replica, in memory,
 * the oldest dropped as a new one comes. Recording takes a lock for as long as adding to a deque
 * takes, so sends do not wait on one another for it. Each send is kept small whatever its request
 * held (a subject of megabytes, thousands of recipients), so that the memory kept is bounded by the
 * capacity alone.
 */
public final class RecentSends implements GetRecentSends {

    /** The longest text kept of a subject, a reply or a Message-ID. */
    static final int MOST_CHARACTERS = 300;
    /** The most addresses kept of To and of Cc; the rest are counted. */
    static final int MOST_ADDRESSES = 20;

    private final int capacity;
    private final Deque<RecentSend> sends = new ArrayDeque<>();

    /** @param capacity how many sends are kept; 0 keeps none */
    public RecentSends(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("a capacity is never negative, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Keeps {@code send}, dropping the oldest when full. */
    void record(RecentSend send) {
        if (capacity == 0) {
            return;
        }
        synchronized (sends) {
            if (sends.size() == capacity) {
                sends.removeLast();
            }
            sends.addFirst(bounded(send));
        }
    }

    private static RecentSend bounded(RecentSend send) {
        return new RecentSend(send.at(), send.template(), send.subject().map(RecentSends::cut), addresses(send.to()),
                addresses(send.cc()), send.outcome(), cut(send.said()), send.messageId().map(RecentSends::cut),
                send.took(), send.requestId());
    }

    private static String cut(String text) {
        return text.length() <= MOST_CHARACTERS ? text : text.substring(0, MOST_CHARACTERS) + "…";
    }

    private static List<String> addresses(List<String> addresses) {
        if (addresses.size() <= MOST_ADDRESSES) {
            return addresses.stream().map(RecentSends::cut).toList();
        }
        List<String> kept = new ArrayList<>(addresses.subList(0, MOST_ADDRESSES).stream().map(RecentSends::cut).toList());
        kept.add("… " + (addresses.size() - MOST_ADDRESSES) + " more");
        return kept;
    }

    @Override
    public List<RecentSend> recentSends() {
        synchronized (sends) {
            return new ArrayList<>(sends);
        }
    }
}
