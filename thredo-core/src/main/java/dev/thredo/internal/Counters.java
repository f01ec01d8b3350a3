package dev.thredo.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Monotonic per-kernel counters, striped so that spawning and ending threads do not contend.
 *
 * <p>Each stripe holds one cell per counter, padded to its own cache lines, and a thread counts into
 * the stripe its id selects. Not {@link java.util.concurrent.atomic.LongAdder}: it finds its cell
 * by the thread's random probe, which a new thread does not have, so every thread that ends would
 * first initialise its {@code ThreadLocalRandom} (two increments of process-wide atomics); thredo
 * threads are short-lived and many, and ids are sequential, so the id spreads them as well.
 *
 * <p>Cells only grow, so a read that starts after another has returned never returns less (the
 * difference of groups opened and closed, {@link #liveGroups()}, is a level, not a total).
 */
public final class Counters {
    private static final int SPAWNED = 0;
    private static final int SUCCEEDED = 1;
    private static final int FAILED = 2;
    private static final int CANCELLED = 3;
    private static final int GROUPS_OPENED = 4;
    private static final int GROUPS_CLOSED = 5;
    /** Longs per stripe: the six cells and padding, 128 bytes, so stripes share no (prefetched) line. */
    private static final int STRIDE = 16;

    private final AtomicLongArray cells;
    private final int stripeMask;

    Counters() {
        int stripes = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1) << 1;
        this.stripeMask = stripes - 1;
        this.cells = new AtomicLongArray(stripes * STRIDE);
    }

    private void increment(int counter) {
        int stripe = (int) Thread.currentThread().threadId() & stripeMask;
        cells.getAndIncrement(stripe * STRIDE + counter);
    }

    private long sum(int counter) {
        long sum = 0;
        for (int i = counter; i < cells.length(); i += STRIDE) {
            sum += cells.get(i);
        }
        return sum;
    }

    void countSpawned() {
        increment(SPAWNED);
    }

    void countEnded(dev.thredo.Outcome outcome) {
        increment(switch (outcome) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            default -> throw new IllegalStateException("not an end: " + outcome);
        });
    }

    /** Counts a group opened. */
    public void groupOpened() {
        increment(GROUPS_OPENED);
    }

    /** Counts a group closed. */
    public void groupClosed() {
        increment(GROUPS_CLOSED);
    }

    public long spawned() {
        return sum(SPAWNED);
    }

    public long succeeded() {
        return sum(SUCCEEDED);
    }

    public long failed() {
        return sum(FAILED);
    }

    public long cancelled() {
        return sum(CANCELLED);
    }

    /** Groups opened and not yet closed. */
    public long liveGroups() {
        return sum(GROUPS_OPENED) - sum(GROUPS_CLOSED);
    }
}
