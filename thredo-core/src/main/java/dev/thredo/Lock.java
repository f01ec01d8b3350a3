package dev.thredo;

import dev.thredo.internal.Parking;
import dev.thredo.internal.Timeouts;
import dev.thredo.internal.WaitQueue;
import java.util.concurrent.TimeUnit;

/**
 * A mutual-exclusion lock whose waits can be cancelled: thredo's {@code Lock}.
 *
 * <p>Not reentrant and without an owner: any thread may {@link #unlock()} it (as in thredo), which
 * makes it usable as a binary semaphore. Fair: {@link #unlock()} hands the lock directly to the
 * longest waiter, so a thread arriving later cannot barge in.
 *
 * <h2>Blocking and cancellation</h2>
 * {@link #lock()} and the timed {@link #tryLock(long, TimeUnit)} block while the lock is held and
 * are delivery points: a cancelled or timed-out wait throws {@link ThreadCancelled} (or
 * {@link ThreadTimeout}) and <em>did not happen</em>: the lock is never handed to a waiter that has
 * given up. A waiter that was handed the lock before it saw its cancellation returns holding it
 * (the cancellation stays pending). {@link #lockInterruptibly()} is the same wait; an interrupt is a
 * cancellation. {@link #tryLock()} and {@link #unlock()} never block. Usable from any thread; outside
 * a thredo thread only an interrupt ends a wait.
 *
 * <p>Memory effects: as for {@code java.util.concurrent.locks.Lock}, a successful lock has the effect
 * of a monitor enter and {@code unlock} of a monitor exit.
 */
public final class Lock implements java.util.concurrent.locks.Lock {
    private final Object sync = new Object();
    private final WaitQueue waiters = new WaitQueue(); // guarded by sync
    private boolean locked;                            // guarded by sync

    /** Creates an unlocked lock. */
    public Lock() {
    }

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @throws ThreadCancelled if the calling thread is cancelled (or interrupted) while waiting
     * @throws ThreadTimeout if a deadline of the calling thread passes while waiting
     */
    @Override
    public void lock() {
        acquire(Parking.Mode.CANCELLABLE, Parking.NO_LIMIT);
    }

    /** As {@link #lock()}: thredo waits are interruptible anyway (an interrupt is a cancellation). */
    @Override
    public void lockInterruptibly() {
        lock();
    }

    /** Acquires the lock if it is free and nobody waits; never blocks. */
    @Override
    public boolean tryLock() {
        synchronized (sync) {
            return tryTake();
        }
    }

    /**
     * Acquires the lock if it becomes free within the timeout.
     *
     * @return {@code false} if the timeout passed first
     * @throws ThreadCancelled as {@link #lock()}
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) {
        return acquire(Parking.Mode.CANCELLABLE, Timeouts.limit(time, unit));
    }

    /**
     * Releases the lock, handing it to the longest waiter if there is one. Any thread may call it.
     *
     * @throws IllegalMonitorStateException if the lock is not locked
     */
    @Override
    public void unlock() {
        synchronized (sync) {
            if (!locked) {
                throw new IllegalMonitorStateException("unlock of an unlocked thredo Lock");
            }
            if (waiters.signalFirst() == null) {
                locked = false; // else handed over: it stays locked, for the signalled waiter
            }
        }
    }

    /** Whether the lock is held. */
    public boolean isLocked() {
        synchronized (sync) {
            return locked;
        }
    }

    /** A new {@link Condition} bound to this lock. */
    @Override
    public Condition newCondition() {
        return new Condition(this);
    }

    /** The re-acquire of {@link Condition#await()}: immune to cancellation, so it always ends holding the lock. */
    void lockHoldingCancellation() {
        acquire(Parking.Mode.HOLD, Parking.NO_LIMIT);
    }

    private boolean acquire(Parking.Mode mode, long limit) {
        return Parking.acquire(sync, waiters, this::tryTake, "Lock.lock", mode, limit);
    }

    private boolean tryTake() {
        if (locked) {
            return false;
        }
        locked = true;
        return true;
    }

    @Override
    public String toString() {
        return "Lock[" + (isLocked() ? "locked" : "unlocked") + "]";
    }
}
