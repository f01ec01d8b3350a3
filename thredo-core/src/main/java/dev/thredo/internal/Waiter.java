package dev.thredo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread waiting for something: the node of a {@link WaitQueue} and the token that
 * {@link Parking#await} parks on.
 *
 * <p>A waiter's life is one state field with two ways out, each taken by a single CAS:
 * <pre>
 *   WAITING -> SIGNALLED   by whoever hands it what it waits for ({@link #signal()})
 *   WAITING -> ABANDONED   by the waiting thread itself, on cancellation, timeout or its own time limit
 * </pre>
 * Whichever CAS wins decides the wait: a waiter that was signalled before it could abandon returns
 * normally and leaves its cancellation pending; a signaller that finds a waiter abandoned moves on to
 * the next one. This is how every primitive keeps the did-not-happen rule without a lock around the
 * park itself.
 *
 * <p>The item carries a hand-off (a queue item, say) from signaller to waiter ({@link #signal(Object)}),
 * or the other way ({@link #Waiter(Object)}); it is written before the state CAS that publishes it
 * and read after observing it.
 *
 * @param <T> what is handed over; {@code Void} for a waiter that only waits
 */
public final class Waiter<T> {
    static final int WAITING = 0;
    static final int SIGNALLED = 1;
    static final int ABANDONED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread;
    private volatile int state;
    /** Handed over with the signal; see the class comment. */
    private T item;
    // Links of the WaitQueue this waiter is in; guarded by that queue's owner.
    Waiter<T> prev;
    Waiter<T> next;
    boolean queued;

    /** A waiter for the calling thread. */
    public Waiter() {
        this.thread = Thread.currentThread();
    }

    /** A waiter carrying {@code item}, for the calling thread. */
    public Waiter(T item) {
        this();
        this.item = item;
    }

    /**
     * Hands the wait its result and wakes the thread; {@code false} if the waiter had already
     * abandoned (or been signalled), in which case nothing was handed over.
     */
    public boolean signal() {
        if (STATE.compareAndSet(this, WAITING, SIGNALLED)) {
            java.util.concurrent.locks.LockSupport.unpark(thread);
            return true;
        }
        return false;
    }

    /**
     * Hands {@code item} to the wait and wakes the thread; {@code false} if the waiter had already
     * abandoned (or been signalled), in which case the item was not handed over.
     */
    public boolean signal(T item) {
        this.item = item; // published by the CAS in signal(); unread if that fails
        return signal();
    }

    /** Called by the waiting thread to give up; {@code false} if it was signalled first. */
    boolean abandon() {
        return STATE.compareAndSet(this, WAITING, ABANDONED);
    }

    /** The item handed over; read after observing the signal, or by the signaller, under the primitive's lock. */
    public T item() {
        return item;
    }

    /** The waiting thread. */
    public Thread thread() {
        return thread;
    }

    /** Whether neither a signal nor an abandonment has happened yet. */
    public boolean isWaiting() {
        return state == WAITING;
    }

    /** Whether a signal has been delivered. */
    public boolean isSignalled() {
        return state == SIGNALLED;
    }
}
