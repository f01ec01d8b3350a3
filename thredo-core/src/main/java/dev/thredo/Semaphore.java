package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Permits;
import dev.thredo.internal.Timeouts;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore whose waits can be cancelled: thredo's {@code Semaphore}.
 *
 * <p>{@link Semaphore} has no upper bound on releases; a {@link BoundedSemaphore} refuses to grow
 * past its initial count.
 *
 * <h2>Fairness</h2>
 * Non-fair by default, as {@link java.util.concurrent.Semaphore}: a thread that asks while a permit is
 * free takes it even while others are parked waiting (barging); parked waiters are woken one per
 * release in arrival order and retry. {@code new Semaphore(n, true)} is fair: {@link #release()}
 * hands its permit directly to the longest waiter, and {@link #acquire()} waits behind anyone
 * already waiting. In both modes only {@link #tryAcquire()} takes a free permit regardless of waiters.
 *
 * <h2>Blocking and cancellation</h2>
 * {@link #acquire()} and the timed {@link #tryAcquire(long, TimeUnit)} block while no permit is
 * available and, in a thredo thread, are delivery points: a cancelled or timed-out wait throws
 * {@link ThreadCancelled} or {@link ThreadTimeout} and took no permit; a waiter that got a permit
 * before it saw its cancellation returns with it (the cancellation stays pending). Outside a thredo
 * thread, an interrupt before or during the wait ends it with {@link InterruptedException} (thrown
 * though not declared), the flag cleared and no permit taken, as for the JDK's semaphore.
 * {@link #tryAcquire()} and {@link #release()} never block.
 *
 * <p>Memory effects: actions before a {@code release()} happen-before actions after an acquire that
 * took a permit.
 */
public sealed class Semaphore permits BoundedSemaphore {
    private final Permits permits;

    /**
     * A non-fair semaphore with {@code permits} initial permits.
     *
     * @param permits the permits available at first, zero or more
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        this(permits, false);
    }

    /**
     * A semaphore with {@code permits} initial permits.
     *
     * @param permits the permits available at first, zero or more
     * @param fair {@code true} for strict FIFO hand-off to the longest waiter, {@code false} to let a
     *     running thread take a free permit ahead of parked waiters
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits, boolean fair) {
        this(permits, Integer.MAX_VALUE, fair);
    }

    Semaphore(int permits, int bound, boolean fair) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative: " + permits);
        }
        this.permits = new Permits(permits, bound, fair);
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws ThreadCancelled if the calling thredo thread is cancelled (or interrupted) while waiting
     * @throws ThreadTimeout if a deadline of the calling thread passes while waiting
     */
    public void acquire() {
        Parking.checkInterruptOnEntry();
        permits.acquire("Semaphore.acquire", Parking.Mode.INTERRUPTIBLE, Clocks.NO_DEADLINE);
    }

    /**
     * Takes a permit if one is free now, even ahead of waiting threads; never blocks, and is not a
     * delivery point.
     *
     * @return {@code true} if a permit was taken
     */
    public boolean tryAcquire() {
        return permits.tryAcquire();
    }

    /**
     * Takes a permit if one becomes available within the timeout (in fair mode, only in its turn).
     *
     * @param time how long to wait at most; zero or negative for not at all
     * @param unit the unit of {@code time}
     * @return {@code true} if a permit was taken; {@code false} if the timeout passed first (no
     *     permit taken)
     * @throws ThreadCancelled as {@link #acquire()}
     * @throws ThreadTimeout if a deadline of the calling thread passes first (this method's own
     *     timeout returns {@code false} instead)
     */
    public boolean tryAcquire(long time, TimeUnit unit) {
        Parking.checkInterruptOnEntry();
        return permits.acquire("Semaphore.acquire", Parking.Mode.INTERRUPTIBLE, Timeouts.limit(time, unit));
    }

    /**
     * Returns a permit (fair: hands it to the longest waiter; non-fair: wakes it).
     *
     * @throws IllegalStateException for a {@link BoundedSemaphore} already at its initial count
     */
    public void release() {
        if (!permits.release()) {
            throw new IllegalStateException("BoundedSemaphore released more often than acquired");
        }
    }

    /**
     * {@return the permits available now} A snapshot for monitoring: by the time the caller acts on
     * it, other threads may have taken or returned permits.
     */
    public int availablePermits() {
        return permits.available();
    }

    /**
     * {@return whether the semaphore hands permits to the longest waiter ({@code true}) or lets
     * running threads barge ({@code false})} Fixed at construction.
     */
    public boolean isFair() {
        return permits.isFair();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[permits=" + availablePermits() + (isFair() ? ", fair" : "") + "]";
    }
}
