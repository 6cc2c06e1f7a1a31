package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetRecentSends;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Implements {@link GetRecentSends}: the last {@code capacity} sends of this replica, in memory,
 * the oldest dropped as a new one comes. Recording takes a lock for as long as adding to a deque
 * takes, so sends do not wait on one another for it.
 */
public final class RecentSends implements GetRecentSends {

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
            sends.addFirst(send);
        }
    }

    @Override
    public List<RecentSend> recentSends() {
        synchronized (sends) {
            return new ArrayList<>(sends);
        }
    }
}
