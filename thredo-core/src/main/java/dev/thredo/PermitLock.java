package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Permits;
import dev.thredo.internal.Timeouts;
import java.util.concurrent.TimeUnit;

/**
 * What {@link Lock} and {@link ReentrantLock} share: one {@link Permits} permit (taken while the lock
 * is held), fair or barging, and the acquire paths of {@code java.util.concurrent.locks.Lock} over
 * it. A subclass adds ownership: a hold it can grant without the permit ({@link #reenter()}) and
 * what it records once the permit is taken ({@link #acquired()}).
 *
 * <p>Interrupts: in a thredo thread every wait here is a delivery point (an interrupt is a
 * cancellation). In any other thread the JDK's contract holds: {@link #lock()} ignores interrupts,
 * {@link #lockInterruptibly()} and the timed {@link #tryLock(long, TimeUnit)} end with
 * {@link InterruptedException}, the flag cleared.
 */
abstract sealed class PermitLock implements java.util.concurrent.locks.Lock permits Lock, ReentrantLock {
    final Permits permit;
    private final String blockedOn;

    PermitLock(boolean fair, String blockedOn) {
        this.permit = new Permits(1, 1, fair);
        this.blockedOn = blockedOn;
    }

    /** Grants the calling thread a hold it may have without the permit (a reentrant one); whether it did. */
    abstract boolean reenter();

    /** Records that the calling thread has just taken the permit. */
    abstract void acquired();

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @throws ThreadCancelled in a thredo thread, if it is cancelled (or interrupted) while waiting;
     *     then it did not get the lock. A thread that is not a thredo thread ignores interrupts here.
     * @throws ThreadTimeout if a deadline of the calling thread passes while waiting
     */
    @Override
    public void lock() {
        acquire(Parking.Mode.UNINTERRUPTIBLE, Clocks.NO_DEADLINE);
    }

    /**
     * As {@link #lock()}, but a thread that is not a thredo thread ends with
     * {@link InterruptedException} (flag cleared, lock not taken) when interrupted before or while
     * waiting; a thredo thread's interrupt is a cancellation anyway.
     */
    @Override
    public void lockInterruptibly() {
        Parking.checkInterruptOnEntry();
        acquire(Parking.Mode.INTERRUPTIBLE, Clocks.NO_DEADLINE);
    }

    /** Acquires the lock if it is free now, even ahead of waiting threads (as the JDK's locks do); never blocks. */
    @Override
    public boolean tryLock() {
        if (reenter()) {
            return true;
        }
        if (permit.tryAcquire()) {
            acquired();
            return true;
        }
        return false;
    }

    /**
     * Acquires the lock if it becomes available within the timeout (in fair mode, only in its turn).
     *
     * @return {@code false} if the timeout passed first
     * @throws ThreadCancelled as {@link #lock()}; a thread that is not a thredo thread gets
     *     {@link InterruptedException} instead, as from {@link #lockInterruptibly()}
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) {
        Parking.checkInterruptOnEntry();
        return acquire(Parking.Mode.INTERRUPTIBLE, Timeouts.limit(time, unit));
    }

    /** A new {@link Condition} bound to this lock. */
    @Override
    public Condition newCondition() {
        return new Condition(this);
    }

    /**
     * {@return whether the lock hands itself to the longest waiter ({@code true}) or lets running
     * threads barge ({@code false})} Fixed at construction.
     */
    public boolean isFair() {
        return permit.isFair();
    }

    /**
     * {@return whether any thread holds the lock} A snapshot for monitoring, not for synchronization.
     */
    public boolean isLocked() {
        return permit.available() == 0;
    }

    /** The re-acquire of {@link Condition#await()}: immune to cancellation, so it always ends holding the lock. */
    void lockHoldingCancellation() {
        acquire(Parking.Mode.HOLD, Clocks.NO_DEADLINE);
    }

    private boolean acquire(Parking.Mode mode, long limit) {
        if (reenter()) {
            return true;
        }
        if (!permit.acquire(blockedOn, mode, limit)) {
            return false;
        }
        acquired();
        return true;
    }
}
