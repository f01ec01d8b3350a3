package dev.thredo;

/**
 * A mutual-exclusion lock whose waits can be cancelled: thredo's {@code Lock}.
 *
 * <p>Not reentrant and without an owner: any thread may {@link #unlock()} it (as in thredo), which
 * makes it usable as a binary semaphore. Fair: {@link #unlock()} hands the lock directly to the
 * longest waiter, so a thread arriving later cannot barge in.
 *
 * <h2>Blocking and cancellation</h2>
 * {@code lock()} and the timed {@code tryLock(time, unit)} block while the lock is held and
 * are delivery points: a cancelled or timed-out wait throws {@link ThreadCancelled} (or
 * {@link ThreadTimeout}) and <em>did not happen</em>: the lock is never handed to a waiter that has
 * given up. A waiter that was handed the lock before it saw its cancellation returns holding it
 * (the cancellation stays pending). {@link #lockInterruptibly()} is the same wait; an interrupt is a
 * cancellation. {@code tryLock()} and {@link #unlock()} never block. Usable from any thread; outside
 * a thredo thread only an interrupt ends a wait.
 *
 * <p>Memory effects: as for {@code java.util.concurrent.locks.Lock}, a successful lock has the effect
 * of a monitor enter and {@code unlock} of a monitor exit.
 */
public final class Lock extends HandOffLock {
    private boolean locked; // guarded by sync

    /** Creates an unlocked lock. */
    public Lock() {
        super("Lock.lock");
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

    @Override
    boolean tryTake() {
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
