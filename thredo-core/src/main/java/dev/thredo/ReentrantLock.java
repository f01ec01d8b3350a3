package dev.thredo;

import dev.thredo.internal.Waiter;

/**
 * A reentrant mutual-exclusion lock whose waits can be cancelled: thredo's {@code RLock}.
 *
 * <p>Owned by the thread that locked it, which may lock it again (each {@link #lock()} needs an
 * {@link #unlock()}); an unlock by another thread throws {@link IllegalMonitorStateException}. Fair:
 * the last unlock hands the lock directly to the longest waiter.
 *
 * <h2>Blocking and cancellation</h2>
 * As for {@link Lock}: {@code lock()} and the timed {@code tryLock(time, unit)} are delivery
 * points, a cancelled wait did not happen (the lock is never handed to a waiter that gave up), and
 * a waiter handed the lock before it saw its cancellation returns holding it.
 * {@link java.util.concurrent.locks.ReentrantLock#lock()} ignores interrupts; this one does not.
 */
public final class ReentrantLock extends HandOffLock {
    private Thread owner; // guarded by sync; null when free
    private int holds;    // guarded by sync

    /** Creates an unlocked lock. */
    public ReentrantLock() {
        super("ReentrantLock.lock");
    }

    /**
     * Releases one hold; the last one hands the lock to the longest waiter.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     */
    @Override
    public void unlock() {
        synchronized (sync) {
            checkOwner();
            if (--holds == 0) {
                handOff();
            }
        }
    }

    /** Whether any thread holds the lock. */
    public boolean isLocked() {
        synchronized (sync) {
            return owner != null;
        }
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        synchronized (sync) {
            return owner == Thread.currentThread();
        }
    }

    /** How many holds the calling thread has (0 if it does not hold the lock). */
    public int getHoldCount() {
        synchronized (sync) {
            return owner == Thread.currentThread() ? holds : 0;
        }
    }

    /** For {@link Condition#await()}: drops every hold of the calling owner and returns how many it had. */
    int releaseAll() {
        synchronized (sync) {
            checkOwner();
            int saved = holds;
            holds = 0;
            handOff();
            return saved;
        }
    }

    /** The re-acquire of {@link Condition#await()}: immune to cancellation; restores {@code saved} holds. */
    void reacquire(int saved) {
        lockHoldingCancellation();
        synchronized (sync) {
            holds = saved;
        }
    }

    @Override
    boolean tryTake() {
        Thread me = Thread.currentThread();
        if (owner == null) {
            owner = me;
            holds = 1;
            return true;
        }
        if (owner == me) {
            holds++;
            return true;
        }
        return false;
    }

    /** Gives the free lock to the longest waiter that is still waiting, or leaves it free (guarded by sync). */
    private void handOff() {
        for (Waiter w; (w = waiters.peek()) != null; ) {
            waiters.remove(w);
            owner = w.thread();
            holds = 1;
            if (w.signal()) {
                return;
            }
        }
        owner = null;
    }

    private void checkOwner() {
        if (owner != Thread.currentThread()) {
            throw new IllegalMonitorStateException("thredo ReentrantLock not held by " + Thread.currentThread());
        }
    }

    @Override
    public String toString() {
        synchronized (sync) {
            return "ReentrantLock[" + (owner == null ? "unlocked" : "locked by " + owner.getName()) + "]";
        }
    }
}
