package dev.thredo;

import java.util.Objects;

/**
 * A filter and limit for {@link Kernel#threads(ThreadQuery)}. Immutable; start from {@link #all()}.
 *
 * @param state only threads in this state, or {@code null} for any
 * @param nameContains only threads whose name contains this, or {@code null} for any
 * @param stuckOnly only threads that have ignored a cancellation past the stuck threshold
 * @param limit at most this many threads (the lowest ids), 1 or more
 */
public record ThreadQuery(ThreadInfo.State state, String nameContains, boolean stuckOnly, int limit) {
    /** The default limit of {@link #all()}. */
    public static final int DEFAULT_LIMIT = 100;

    public ThreadQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    /** Every thread, at most {@link #DEFAULT_LIMIT}. */
    public static ThreadQuery all() {
        return new ThreadQuery(null, null, false, DEFAULT_LIMIT);
    }

    /** This query, restricted to threads in {@code state}. */
    public ThreadQuery withState(ThreadInfo.State state) {
        return new ThreadQuery(Objects.requireNonNull(state, "state"), nameContains, stuckOnly, limit);
    }

    /** This query, restricted to threads whose name contains {@code text}. */
    public ThreadQuery withNameContaining(String text) {
        return new ThreadQuery(state, Objects.requireNonNull(text, "text"), stuckOnly, limit);
    }

    /** This query, restricted to stuck threads. */
    public ThreadQuery stuck() {
        return new ThreadQuery(state, nameContains, true, limit);
    }

    /** This query with another limit. */
    public ThreadQuery withLimit(int limit) {
        return new ThreadQuery(state, nameContains, stuckOnly, limit);
    }
}
