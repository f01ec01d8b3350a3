package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Timeouts;
import dev.thredo.internal.WaitQueue;
import java.util.concurrent.TimeUnit;

/**
 * What {@link Lock} and {@link ReentrantLock} share: a FIFO of waiters under a private monitor, the
 * cancellable acquire path, and hand-off on release. A subclass says only when the calling thread
 * may take the lock ({@link #tryTake()}) and whom a release hands it to.
 *
 * <p>Why hand-off and no barging: the contract (every thredo wait is FIFO-fair; {@code unlock} hands
 * the lock to the longest waiter) rules out letting a running thread take a released lock ahead of a
 * queued waiter, the way the JDK's default non-fair {@code ReentrantLock} does. Under contention this
 * costs a park and an unpark per acquisition (a lock convoy): thredo-bench measures these locks at
 * a small fraction of the non-fair JDK lock's throughput and on a par with the fair JDK lock, which is
 * the policy-for-policy comparison. Barging would be compatible with the did-not-happen rule (a woken
 * waiter that lost the race would re-park; a cancelled one never took the lock) but not with fairness,
 * so it is not done.
 */
abstract sealed class HandOffLock implements java.util.concurrent.locks.Lock permits Lock, ReentrantLock {
    /** Guards the subclass's state and {@link #waiters}. */
    final Object sync = new Object();
    final WaitQueue waiters = new WaitQueue();
    private final String blockedOn;

    HandOffLock(String blockedOn) {
        this.blockedOn = blockedOn;
    }

    /** Takes the lock for the calling thread if it may have it now (guarded by sync). */
    abstract boolean tryTake();

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @throws ThreadCancelled if the calling thread is cancelled (or interrupted) while waiting
     * @throws ThreadTimeout if a deadline of the calling thread passes while waiting
     */
    @Override
    public void lock() {
        acquire(Parking.Mode.CANCELLABLE, Clocks.NO_DEADLINE);
    }

    /** As {@link #lock()}: thredo waits are interruptible anyway (an interrupt is a cancellation). */
    @Override
    public void lockInterruptibly() {
        lock();
    }

    /** Acquires the lock if the calling thread may have it now; never blocks. */
    @Override
    public boolean tryLock() {
        synchronized (sync) {
            return tryTake();
        }
    }

    /**
     * Acquires the lock if it becomes available within the timeout.
     *
     * @return {@code false} if the timeout passed first
     * @throws ThreadCancelled as {@link #lock()}
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) {
        return acquire(Parking.Mode.CANCELLABLE, Timeouts.limit(time, unit));
    }

    /** A new {@link Condition} bound to this lock. */
    @Override
    public Condition newCondition() {
        return new Condition(this);
    }

    /** The re-acquire of {@link Condition#await()}: immune to cancellation, so it always ends holding the lock. */
    void lockHoldingCancellation() {
        acquire(Parking.Mode.HOLD, Clocks.NO_DEADLINE);
    }

    private boolean acquire(Parking.Mode mode, long limit) {
        return Parking.acquire(sync, waiters, this::tryTake, blockedOn, mode, limit);
    }
}
