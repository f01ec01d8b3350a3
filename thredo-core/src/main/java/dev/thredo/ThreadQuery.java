package dev.thredo;

import java.util.Objects;

/**
 * A filter and limit for {@link Kernel#threads(ThreadQuery)}. Immutable; start from {@link #all()}.
 * Filters combine: a thread is listed when it passes every one that is set.
 *
 * @param state only threads in this state, or {@code null} for any
 * @param nameContains only threads whose name contains this, or {@code null} for any
 * @param stuckOnly only threads that have ignored a cancellation past the stuck threshold
 * @param parentId only the children of the thread with this id ({@code 0}: only root threads), or
 *     {@code null} for any; a thread's parent is the thread that spawned it, fixed at its spawn,
 *     and still names it after the parent ended
 * @param limit at most this many threads (the lowest ids), 1 or more
 */
public record ThreadQuery(ThreadInfo.State state, String nameContains, boolean stuckOnly, Long parentId, int limit) {
    /** The default limit of {@link #all()}. */
    public static final int DEFAULT_LIMIT = 100;

    /**
     * Creates a query; {@link #all()} and the {@code with...} methods are the usual way.
     *
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public ThreadQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    /**
     * A query without a parent filter.
     *
     * @param state only threads in this state, or {@code null} for any
     * @param nameContains only threads whose name contains this, or {@code null} for any
     * @param stuckOnly only threads that have ignored a cancellation past the stuck threshold
     * @param limit at most this many threads (the lowest ids), 1 or more
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public ThreadQuery(ThreadInfo.State state, String nameContains, boolean stuckOnly, int limit) {
        this(state, nameContains, stuckOnly, null, limit);
    }

    /** {@return a query for every thread, at most {@link #DEFAULT_LIMIT} of them} */
    public static ThreadQuery all() {
        return new ThreadQuery(null, null, false, null, DEFAULT_LIMIT);
    }

    /**
     * This query, restricted to threads in {@code state}.
     *
     * @param state the state a listed thread is in when the listing reaches it
     * @return a new query; this one is unchanged
     * @throws NullPointerException if {@code state} is {@code null}
     */
    public ThreadQuery withState(ThreadInfo.State state) {
        return new ThreadQuery(Objects.requireNonNull(state, "state"), nameContains, stuckOnly, parentId, limit);
    }

    /**
     * This query, restricted to threads whose name contains {@code text}.
     *
     * @param text matched as is (case-sensitive, no patterns)
     * @return a new query; this one is unchanged
     * @throws NullPointerException if {@code text} is {@code null}
     */
    public ThreadQuery withNameContaining(String text) {
        return new ThreadQuery(state, Objects.requireNonNull(text, "text"), stuckOnly, parentId, limit);
    }

    /** {@return a new query like this one, restricted to stuck threads} */
    public ThreadQuery stuck() {
        return new ThreadQuery(state, nameContains, true, parentId, limit);
    }

    /**
     * This query, restricted to the live children of the thread with id {@code parentId} (the threads
     * it spawned; {@code 0} for root threads). Children are listed whether their parent is still
     * alive or not.
     *
     * @param parentId the id of the spawning thread, or {@code 0}
     * @return a new query; this one is unchanged
     */
    public ThreadQuery withParent(long parentId) {
        return new ThreadQuery(state, nameContains, stuckOnly, parentId, limit);
    }

    /**
     * This query with another limit.
     *
     * @param limit at most this many threads (the lowest ids), 1 or more
     * @return a new query; this one is unchanged
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public ThreadQuery withLimit(int limit) {
        return new ThreadQuery(state, nameContains, stuckOnly, parentId, limit);
    }
}
