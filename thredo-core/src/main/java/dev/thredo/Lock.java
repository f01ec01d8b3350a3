package dev.thredo;

/**
 * A mutual-exclusion lock whose waits can be cancelled: thredo's {@code Lock}.
 *
 * <p>Not reentrant and without an owner: any thread may {@link #unlock()} it (as in thredo), which
 * makes it usable as a binary semaphore.
 *
 * <h2>Fairness</h2>
 * Non-fair by default, as the JDK's {@code ReentrantLock}: a thread that asks for a free lock takes
 * it even while others are parked waiting for it (barging), which spares a park and an unpark per
 * acquisition under contention; parked waiters are woken one at a time in arrival order and retry.
 * {@code new Lock(true)} is fair: {@link #unlock()} hands the lock directly to the longest waiter,
 * and {@link #lock()} waits behind anyone already waiting. In both modes only
 * {@link #tryLock()} takes a free lock regardless of waiters.
 *
 * <h2>Blocking and cancellation</h2>
 * {@code lock()}, {@link #lockInterruptibly()} and the timed {@code tryLock(time, unit)} block while
 * the lock is held and, in a thredo thread, are delivery points: a cancelled or timed-out wait throws
 * {@link ThreadCancelled} (or {@link ThreadTimeout}) and <em>did not happen</em>: the lock is never
 * handed to (nor taken by) a waiter that has given up. A waiter that got the lock before it saw its
 * cancellation returns holding it (the cancellation stays pending). Usable from any thread: outside
 * a thredo thread, the JDK's interrupt contract holds ({@code lock()} ignores interrupts;
 * {@code lockInterruptibly()} and the timed {@code tryLock} end with {@link InterruptedException},
 * the flag cleared, the lock not taken). {@code tryLock()} and {@link #unlock()} never block.
 *
 * <p>Memory effects: as for {@code java.util.concurrent.locks.Lock}, a successful lock has the effect
 * of a monitor enter and {@code unlock} of a monitor exit.
 */
public final class Lock extends PermitLock {
    /** Creates an unlocked, non-fair lock. */
    public Lock() {
        this(false);
    }

    /**
     * Creates an unlocked lock.
     *
     * @param fair {@code true} for strict FIFO hand-off to the longest waiter, {@code false} to let a
     *     running thread take a free lock ahead of parked waiters
     */
    public Lock(boolean fair) {
        super(fair, "Lock.lock");
    }

    /**
     * Releases the lock (fair: hands it to the longest waiter; non-fair: wakes it). Any thread may call it.
     *
     * @throws IllegalMonitorStateException if the lock is not locked
     */
    @Override
    public void unlock() {
        if (!permit.release()) {
            throw new IllegalMonitorStateException("unlock of an unlocked thredo Lock");
        }
    }

    @Override
    boolean reenter() {
        return false;
    }

    @Override
    void acquired() {
        // no owner to record
    }

    @Override
    public String toString() {
        return "Lock[" + (isLocked() ? "locked" : "unlocked") + (isFair() ? ", fair" : "") + "]";
    }
}
