package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Timeouts;
import dev.thredo.internal.WaitQueue;
import dev.thredo.internal.Waiter;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A condition variable bound to a thredo {@link Lock} or {@link ReentrantLock}: thredo's
 * {@code Condition}.
 *
 * <p>{@link #await()} releases the lock, waits for a {@link #signal()}, and <strong>re-acquires the
 * lock before it returns or throws</strong>, even when it was cancelled or timed out (that
 * re-acquire ignores cancellation, so it cannot be cut short). Waiters are signalled in FIFO
 * order. "Holding the lock" means, for a {@link Lock} (which has no owner), that it is locked; for a
 * {@link ReentrantLock}, that the calling thread holds it.
 *
 * <h2>Blocking and cancellation</h2>
 * The wait in {@code await} is a delivery point: a cancelled or timed-out wait throws
 * {@link ThreadCancelled} or {@link ThreadTimeout} and consumed no signal; a waiter signalled before
 * it saw its cancellation returns normally (the cancellation stays pending), so no signal is lost.
 * {@link #awaitUninterruptibly()} holds cancellation back while it waits. {@code signal} and
 * {@code signalAll} never block. Outside a thredo thread, an interrupt before or during a wait ends
 * it with {@link InterruptedException} (thrown though not declared), the flag cleared, once the lock
 * is held again, as for the JDK's conditions. The re-acquire takes the lock as the lock's own
 * {@code lock()} would (barging unless the lock is fair).
 */
public final class Condition implements java.util.concurrent.locks.Condition {
    private final java.util.concurrent.locks.Lock lock;
    private final Object sync = new Object();
    private final WaitQueue<Void> waiters = new WaitQueue<>(); // guarded by sync

    /** A condition with a new {@link Lock} of its own, as in thredo. */
    public Condition() {
        this(new Lock());
    }

    /**
     * A condition bound to {@code lock}.
     *
     * @param lock the lock that {@code await} releases and re-acquires, and that {@code signal}
     *     requires held; a thredo {@link Lock} or {@link ReentrantLock}
     * @throws NullPointerException if {@code lock} is {@code null}
     * @throws IllegalArgumentException unless {@code lock} is a thredo {@link Lock} or {@link ReentrantLock}
     */
    public Condition(java.util.concurrent.locks.Lock lock) {
        Objects.requireNonNull(lock, "lock");
        if (!(lock instanceof Lock) && !(lock instanceof ReentrantLock)) {
            throw new IllegalArgumentException("a thredo Condition needs a thredo Lock or ReentrantLock, not " + lock.getClass().getName());
        }
        this.lock = lock;
    }

    /** {@return the lock this condition is bound to} */
    public java.util.concurrent.locks.Lock lock() {
        return lock;
    }

    /**
     * Releases the lock, waits to be signalled, and re-acquires the lock.
     *
     * @throws IllegalMonitorStateException if the lock is not held
     * @throws ThreadCancelled if cancelled (or interrupted) while waiting; the lock is held again
     * @throws ThreadTimeout if a deadline passes while waiting; the lock is held again
     */
    @Override
    public void await() {
        awaitUntilLimit(Parking.Mode.INTERRUPTIBLE, Clocks.NO_DEADLINE);
    }

    /** As {@link #await()}, holding cancellation and deadlines back while it waits. */
    @Override
    public void awaitUninterruptibly() {
        awaitUntilLimit(Parking.Mode.HOLD, Clocks.NO_DEADLINE);
    }

    /** As {@link #await()}, for at most {@code nanosTimeout}; returns the nanoseconds left (≤ 0 if it timed out). */
    @Override
    public long awaitNanos(long nanosTimeout) {
        long limit = Timeouts.limit(nanosTimeout, TimeUnit.NANOSECONDS);
        awaitUntilLimit(Parking.Mode.INTERRUPTIBLE, limit);
        return limit - System.nanoTime();
    }

    /** As {@link #await()}, for at most the timeout; {@code false} if it passed first. */
    @Override
    public boolean await(long time, TimeUnit unit) {
        return awaitUntilLimit(Parking.Mode.INTERRUPTIBLE, Timeouts.limit(time, unit));
    }

    /** As {@link #await()}, until the wall-clock {@code deadline}; {@code false} if it passed first. */
    @Override
    public boolean awaitUntil(Date deadline) {
        return await(deadline.getTime() - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Wakes the longest waiter, if any.
     *
     * @throws IllegalMonitorStateException if the lock is not held
     */
    @Override
    public void signal() {
        checkHeld();
        synchronized (sync) {
            waiters.signalFirst();
        }
    }

    /**
     * Wakes every waiter.
     *
     * @throws IllegalMonitorStateException if the lock is not held
     */
    @Override
    public void signalAll() {
        checkHeld();
        synchronized (sync) {
            waiters.signalAll();
        }
    }

    /**
     * {@return whether any thread waits on this condition} A snapshot for monitoring: waiters may
     * come and go at any time.
     */
    public boolean hasWaiters() {
        synchronized (sync) {
            return waiters.peek() != null;
        }
    }

    /** How many threads wait on this condition (a snapshot). */
    int waitQueueLength() {
        synchronized (sync) {
            return waiters.size();
        }
    }

    private boolean awaitUntilLimit(Parking.Mode mode, long limit) {
        checkHeld();
        if (mode != Parking.Mode.HOLD) {
            Parking.checkInterruptOnEntry();
        }
        Waiter<Void> w = new Waiter<>();
        synchronized (sync) {
            waiters.add(w); // queued before the lock is released, so no signal can slip between
        }
        int saved;
        try {
            saved = release();
        } catch (RuntimeException e) { // the lock was released under us: this waiter must not eat a signal
            synchronized (sync) {
                waiters.remove(w);
            }
            throw e;
        }
        try {
            return Parking.awaitHandOff(sync, waiters, w, "Condition.await", mode, limit);
        } finally {
            reacquire(saved);
        }
    }

    private int release() {
        if (lock instanceof ReentrantLock r) {
            return r.releaseAll();
        }
        lock.unlock();
        return 1;
    }

    private void reacquire(int saved) {
        if (lock instanceof ReentrantLock r) {
            r.reacquire(saved);
        } else {
            ((Lock) lock).lockHoldingCancellation(); // ReentrantLock restores its holds in reacquire
        }
    }

    private void checkHeld() {
        boolean held = lock instanceof ReentrantLock r ? r.isHeldByCurrentThread() : ((Lock) lock).isLocked();
        if (!held) {
            throw new IllegalMonitorStateException("the Condition's lock is not held");
        }
    }
}
