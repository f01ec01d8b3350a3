package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Timeouts;
import dev.thredo.internal.WaitQueue;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore whose waits can be cancelled: thredo's {@code Semaphore}.
 *
 * <p>Fair: {@link #release()} hands its permit directly to the longest waiter, so permits are
 * available only while nobody waits. {@link Semaphore} has no upper bound on releases; a
 * {@link BoundedSemaphore} refuses to grow past its initial count.
 *
 * <h2>Blocking and cancellation</h2>
 * {@link #acquire()} and the timed {@link #tryAcquire(long, TimeUnit)} block while no permit is
 * available and are delivery points: a cancelled or timed-out wait throws {@link ThreadCancelled} or
 * {@link ThreadTimeout} and took no permit; a waiter handed a permit before it saw its cancellation
 * returns with it (the cancellation stays pending). {@link #tryAcquire()} and {@link #release()}
 * never block.
 */
public sealed class Semaphore permits BoundedSemaphore {
    private final Object sync = new Object();
    private final WaitQueue waiters = new WaitQueue(); // guarded by sync
    private final int bound;
    private int permits;                               // guarded by sync

    /**
     * A semaphore with {@code permits} initial permits.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        this(permits, Integer.MAX_VALUE);
    }

    Semaphore(int permits, int bound) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative: " + permits);
        }
        this.permits = permits;
        this.bound = bound;
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws ThreadCancelled if the calling thread is cancelled (or interrupted) while waiting
     * @throws ThreadTimeout if a deadline of the calling thread passes while waiting
     */
    public void acquire() {
        Parking.acquire(sync, waiters, this::tryTake, "Semaphore.acquire", Parking.Mode.CANCELLABLE, Clocks.NO_DEADLINE);
    }

    /** Takes a permit if one is available; never blocks. */
    public boolean tryAcquire() {
        synchronized (sync) {
            return tryTake();
        }
    }

    /**
     * Takes a permit if one becomes available within the timeout.
     *
     * @return {@code false} if the timeout passed first (no permit taken)
     * @throws ThreadCancelled as {@link #acquire()}
     */
    public boolean tryAcquire(long time, TimeUnit unit) {
        return Parking.acquire(sync, waiters, this::tryTake, "Semaphore.acquire", Parking.Mode.CANCELLABLE, Timeouts.limit(time, unit));
    }

    /**
     * Returns a permit, handing it to the longest waiter if there is one.
     *
     * @throws IllegalStateException for a {@link BoundedSemaphore} already at its initial count
     */
    public void release() {
        synchronized (sync) {
            if (waiters.signalFirst() != null) {
                return; // handed over
            }
            if (permits >= bound) {
                throw new IllegalStateException("BoundedSemaphore released more often than acquired (bound " + bound + ")");
            }
            permits++;
        }
    }

    /** The permits available now. */
    public int availablePermits() {
        synchronized (sync) {
            return permits;
        }
    }

    private boolean tryTake() {
        if (permits == 0) {
            return false;
        }
        permits--;
        return true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[permits=" + availablePermits() + "]";
    }
}
