package dev.thredo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A count of permits that is itself the {@link WaitQueue} of the threads waiting for one (and its
 * monitor): the synchronizer under thredo's {@code Lock} and {@code ReentrantLock} (one permit) and
 * {@code Semaphore} and {@code BoundedSemaphore}, as {@code AbstractQueuedSynchronizer}'s state is
 * under the JDK's. One object, as AQS keeps its state and queue head in one: a release writes the
 * count and then reads the queue's head, and under contention two objects would be two cache lines
 * moving between cores on every release.
 *
 * <p>The count is one atomic field, so the uncontended acquire and release are one CAS each (the
 * owner of a lock returns its permit with a volatile write, {@link #releaseHeld()}) and take no lock. The queue's monitor is taken only to queue a waiter or to wake one, and a release takes it
 * only when {@link WaitQueue#mayHaveWaiters()}: a waiter queues itself before it re-reads the count,
 * and a release writes the count before it looks at the queue, so one of them always sees the other.
 *
 * <p>Two policies, fixed at construction:
 * <ul>
 * <li><b>barging</b> (non-fair, the default of the primitives, as in the JDK): a free permit goes to
 *     whoever asks first, running threads included. A release makes the permit free and wakes the
 *     first waiter, which then tries again and, if a running thread was faster, waits again at the
 *     head of the queue ({@link Parking#acquireRetrying}). While a woken waiter has yet to settle
 *     its retry, releases wake nobody else and take no lock ({@link WaitQueue#wakeFirst()}); that
 *     waiter, if it finds more than its permit free, wakes the next.</li>
 * <li><b>fair</b>: a release with waiters hands its permit to the first one ({@link Parking#acquire});
 *     an acquire takes a free permit only while nobody is queued. Only the non-blocking
 *     {@link #tryAcquire()} barges, as the JDK's fair locks and semaphores do.</li>
 * </ul>
 * In both, a waiter that gives up (cancellation, deadline, its own time limit) before it was
 * signalled took nothing and is unlinked, so no permit is ever handed to or reserved for it.
 */
public final class Permits extends WaitQueue<Void> {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Permits.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int bound;
    private final boolean fair;
    private final Function<Object, Boolean> tryBarging = unused -> tryAcquire() ? Boolean.TRUE : null;
    private final BooleanSupplier tryAsFirst = this::tryAcquire;
    private volatile int count;

    /**
     * @param permits the initial count, at least 0
     * @param bound the count a release may not exceed
     * @param fair hand-off to the longest waiter instead of barging
     */
    public Permits(int permits, int bound, boolean fair) {
        this.count = permits;
        this.bound = bound;
        this.fair = fair;
    }

    /** Whether this is the fair (hand-off) policy. */
    public boolean isFair() {
        return fair;
    }

    /** Takes a free permit if there is one, whoever waits; never blocks. */
    public boolean tryAcquire() {
        for (int c; (c = count) > 0; ) {
            if (COUNT.compareAndSet(this, c, c - 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes a permit, waiting while there is none (fair: while there is none or others wait first).
     *
     * @return {@code false} if {@code limitNanos} passed first (nothing taken)
     * @throws dev.thredo.ThreadCancelled as {@link Parking#await} in a cancellable mode (nothing taken)
     */
    public boolean acquire(String blockedOn, Parking.Mode mode, long limitNanos) {
        if (fair) {
            return (!mayHaveWaiters() && tryAcquire())
                    || Parking.acquire(this, this, tryAsFirst, blockedOn, mode, limitNanos);
        }
        if (tryAcquire()) {
            return true;
        }
        if (Parking.acquireRetrying(this, this, tryBarging, null, blockedOn, mode, limitNanos) == null) {
            return false;
        }
        if (count > 0) {
            wakeWaiter(); // more is free: releases made while a woken waiter was on its way woke nobody
        }
        return true;
    }

    /**
     * Returns a permit: fair, to the longest waiter; barging, to the pool, waking the longest waiter.
     *
     * @return {@code false} if the count is at its bound (nothing changed)
     */
    public boolean release() {
        for (int c; ; ) {
            if ((c = count) >= bound) {
                return false;
            }
            if (COUNT.compareAndSet(this, c, c + 1)) {
                break;
            }
        }
        released();
        return true;
    }

    /**
     * {@link #release()} for a lock's one permit (bound 1) that the calling thread holds, as the owner
     * of a {@code ReentrantLock} does: while it is held the count is 0 and no other thread can change
     * it (acquires only take a positive count), so a volatile write does what the CAS does.
     */
    public void releaseHeld() {
        count = 1;
        released();
    }

    /** After the count was raised: fair, hands permits to the first waiters; barging, wakes one. */
    private void released() {
        if (fair) {
            if (mayHaveWaiters()) {
                synchronized (this) {
                    handOff();
                }
            }
        } else {
            wakeWaiter();
        }
    }

    /**
     * Barging: wakes the first waiter to retry, after the count was raised, unless a woken waiter
     * is already on its way (its retry will see the raised count; {@link WaitQueue#wakeFirst()}).
     */
    private void wakeWaiter() {
        if (mayNeedWaking()) {
            synchronized (this) {
                wakeFirst();
            }
        }
    }

    /** Moves free permits to the first waiters, each signalled with its permit (guarded by this monitor). */
    private void handOff() {
        for (Waiter<Void> w; (w = peek()) != null && tryAcquire(); ) {
            remove(w);
            if (!w.signal()) {
                COUNT.getAndAdd(this, 1); // it gave up meanwhile: the permit goes back, to the next one
            }
        }
    }

    /** The free permits now. */
    public int available() {
        return count;
    }

    /** How many threads wait for a permit (a snapshot). */
    public int queueLength() {
        synchronized (this) {
            return size();
        }
    }

    /** Whether {@code t} waits for a permit (a snapshot). */
    public boolean isQueued(Thread t) {
        synchronized (this) {
            return contains(t);
        }
    }
}
