package dev.thredo;

/**
 * A reentrant mutual-exclusion lock whose waits can be cancelled: thredo's {@code RLock}, with the
 * inspection methods of {@link java.util.concurrent.locks.ReentrantLock}.
 *
 * <p>Owned by the thread that locked it, which may lock it again (each {@link #lock()} needs an
 * {@link #unlock()}); an unlock by another thread throws {@link IllegalMonitorStateException}.
 *
 * <h2>Fairness</h2>
 * As for {@link Lock}: non-fair by default (a running thread may take the free lock ahead of parked
 * waiters, which are woken in arrival order and retry); {@code new ReentrantLock(true)} hands the
 * lock on its last unlock directly to the longest waiter. {@link #tryLock()} barges in both modes.
 *
 * <h2>Blocking and cancellation</h2>
 * As for {@link Lock}: in a thredo thread {@code lock()}, {@link #lockInterruptibly()} and the timed
 * {@code tryLock(time, unit)} are delivery points, a cancelled wait did not happen (the lock is never
 * handed to a waiter that gave up), and a waiter that got the lock before it saw its cancellation
 * returns holding it. Outside a thredo thread the JDK's interrupt contract holds: {@code lock()}
 * ignores interrupts, {@code lockInterruptibly()} and the timed {@code tryLock} end with
 * {@link InterruptedException}, the flag cleared.
 *
 * <p>The inspection methods ({@link #getQueueLength()}, {@link #hasQueuedThreads()},
 * {@link #hasQueuedThread(Thread)}, {@link #hasWaiters(java.util.concurrent.locks.Condition)},
 * {@link #getWaitQueueLength(java.util.concurrent.locks.Condition)}) are snapshots for monitoring,
 * not for synchronization: threads come and go while they look. A non-fair waiter that was woken and
 * is retrying is not counted as queued.
 */
public final class ReentrantLock extends PermitLock {
    // Written only by the thread that holds the permit (after taking it, before returning it), so the
    // owner reading its own identity here is always exact; others may see a stale value.
    private Thread owner;
    private int holds;

    /** Creates an unlocked, non-fair lock. */
    public ReentrantLock() {
        this(false);
    }

    /**
     * Creates an unlocked lock.
     *
     * @param fair {@code true} for strict FIFO hand-off to the longest waiter, {@code false} to let a
     *     running thread take a free lock ahead of parked waiters
     */
    public ReentrantLock(boolean fair) {
        super(fair, "ReentrantLock.lock");
    }

    /**
     * Releases one hold; the last one frees the lock (fair: hands it to the longest waiter).
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     */
    @Override
    public void unlock() {
        checkOwner();
        if (--holds == 0) {
            owner = null;
            permit.releaseHeld();
        }
    }

    /** {@return whether the calling thread holds the lock} Exact, unlike the other inspections. */
    public boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /**
     * {@return how many holds the calling thread has: locks not yet matched by an unlock; 0 if it
     * does not hold the lock}
     */
    public int getHoldCount() {
        return isHeldByCurrentThread() ? holds : 0;
    }

    /**
     * {@return an estimate of the number of threads waiting to acquire this lock} A non-fair waiter
     * that was woken and is retrying is not counted.
     */
    public int getQueueLength() {
        return permit.queueLength();
    }

    /** {@return whether any thread may be waiting to acquire this lock} */
    public boolean hasQueuedThreads() {
        return getQueueLength() > 0;
    }

    /**
     * Whether {@code thread} is waiting to acquire this lock.
     *
     * @param thread the thread to look for
     * @return {@code true} if it is queued for the lock now (a snapshot)
     * @throws NullPointerException if {@code thread} is null
     */
    public boolean hasQueuedThread(Thread thread) {
        return permit.isQueued(java.util.Objects.requireNonNull(thread, "thread"));
    }

    /**
     * Whether any thread is waiting on {@code condition}, a condition of this lock.
     *
     * @param condition a condition from this lock's {@link #newCondition()} (or bound to it)
     * @return {@code true} if a thread waits on it now (a snapshot)
     * @throws IllegalMonitorStateException if the calling thread does not hold this lock
     * @throws IllegalArgumentException if {@code condition} is not a condition of this lock
     * @throws NullPointerException if {@code condition} is null
     */
    public boolean hasWaiters(java.util.concurrent.locks.Condition condition) {
        return getWaitQueueLength(condition) > 0;
    }

    /**
     * An estimate of the number of threads waiting on {@code condition}, a condition of this lock.
     *
     * @param condition a condition from this lock's {@link #newCondition()} (or bound to it)
     * @return how many threads wait on it now (a snapshot)
     * @throws IllegalMonitorStateException if the calling thread does not hold this lock
     * @throws IllegalArgumentException if {@code condition} is not a condition of this lock
     * @throws NullPointerException if {@code condition} is null
     */
    public int getWaitQueueLength(java.util.concurrent.locks.Condition condition) {
        java.util.Objects.requireNonNull(condition, "condition");
        if (!(condition instanceof Condition c) || c.lock() != this) {
            throw new IllegalArgumentException("not a condition of this lock: " + condition);
        }
        checkOwner();
        return c.waitQueueLength();
    }

    /** For {@link Condition#await()}: drops every hold of the calling owner and returns how many it had. */
    int releaseAll() {
        checkOwner();
        int saved = holds;
        holds = 0;
        owner = null;
        permit.releaseHeld();
        return saved;
    }

    /** The re-acquire of {@link Condition#await()}: immune to cancellation; restores {@code saved} holds. */
    void reacquire(int saved) {
        lockHoldingCancellation();
        holds = saved;
    }

    @Override
    boolean reenter() {
        if (owner != Thread.currentThread()) {
            return false;
        }
        if (holds == Integer.MAX_VALUE) {
            throw new Error("Maximum lock count exceeded");
        }
        holds++;
        return true;
    }

    @Override
    void acquired() {
        owner = Thread.currentThread();
        holds = 1;
    }

    private void checkOwner() {
        if (owner != Thread.currentThread()) {
            throw new IllegalMonitorStateException("thredo ReentrantLock not held by " + Thread.currentThread());
        }
    }

    @Override
    public String toString() {
        Thread o = owner;
        String state = !isLocked() ? "unlocked" : o == null ? "locked" : "locked by " + o.getName();
        return "ReentrantLock[" + state + (isFair() ? ", fair" : "") + "]";
    }
}
