package dev.thredo.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * Monotonic per-kernel counters; striped so that spawning threads do not contend. Each is a
 * {@link LongAdder} whose parts only grow, so a read that starts after another has returned never
 * returns less (the sum of groups opened and closed, {@link #liveGroups()}, is a level, not a total).
 */
public final class Counters {
    private final LongAdder spawned = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder groupsOpened = new LongAdder();
    private final LongAdder groupsClosed = new LongAdder();

    void countSpawned() {
        spawned.increment();
    }

    void countEnded(dev.thredo.Outcome outcome) {
        switch (outcome) {
            case SUCCEEDED -> succeeded.increment();
            case FAILED -> failed.increment();
            case CANCELLED -> cancelled.increment();
            default -> throw new IllegalStateException("not an end: " + outcome);
        }
    }

    /** Counts a group opened. */
    public void groupOpened() {
        groupsOpened.increment();
    }

    /** Counts a group closed. */
    public void groupClosed() {
        groupsClosed.increment();
    }

    public long spawned() {
        return spawned.sum();
    }

    public long succeeded() {
        return succeeded.sum();
    }

    public long failed() {
        return failed.sum();
    }

    public long cancelled() {
        return cancelled.sum();
    }

    /** Groups opened and not yet closed. */
    public long liveGroups() {
        return groupsOpened.sum() - groupsClosed.sum();
    }
}
