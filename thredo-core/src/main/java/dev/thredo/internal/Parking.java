package dev.thredo.internal;

import dev.thredo.ThreadCancelled;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The single parking loop behind every thredo wait: sleep, join, group waits, kernel close, and the
 * synchronization primitives.
 *
 * <p>A {@link Mode#CANCELLABLE} wait is a delivery point: it ends with the thread's pending
 * {@link ThreadCancelled} or expired deadline, but only if it can first abandon its {@link Waiter};
 * a waiter that was signalled first returns normally and leaves the cancellation pending (the
 * did-not-happen rule, decided by one CAS). A {@link Mode#HOLD} wait ignores both; it is for the
 * internal waits that must finish whatever happens (a group waiting for its cancelled members, the
 * re-acquire in {@code Condition.await}).
 *
 * <p>The interrupt flag: a pending interrupt makes {@code LockSupport.park} return at once, so a
 * wait that holds cancellation back clears the flag while it parks (or it would spin) and the
 * thread's {@link ThreadControl} re-arms it on the way out if the cancellation is still to be
 * delivered. An interrupt from outside is taken as a cancellation request.
 */
public final class Parking {
    /** How a wait treats cancellation and deadlines. */
    public enum Mode {
        /** A delivery point: cancellation and expired deadlines end the wait by exception. */
        CANCELLABLE,
        /** Cancellation and deadlines are held back until the wait is over. */
        HOLD
    }

    private Parking() {
    }

    /**
     * Parks the calling thread until {@code w} is signalled.
     *
     * @param w the waiter of the calling thread, already visible to its signallers
     * @param blockedOn what the thread waits for, as the registry shows it
     * @param mode whether cancellation and deadlines end the wait
     * @param limitNanos a {@link System#nanoTime()} at which the wait gives up by itself, or
     *     {@link Clocks#NO_DEADLINE}
     * @return {@code true} if signalled, {@code false} if {@code limitNanos} passed first
     * @throws ThreadCancelled in a {@link Mode#CANCELLABLE} wait, when the thread was cancelled or
     *     a deadline expired and the waiter could abandon before being signalled
     */
    public static boolean await(Waiter w, String blockedOn, Mode mode, long limitNanos) {
        ThreadControl self = ThreadControl.current();
        boolean clearedInterrupt = false;
        if (self != null) {
            self.enterWait(blockedOn);
        }
        try {
            for (;;) {
                if (w.isSignalled()) {
                    return true;
                }
                if (mode == Mode.CANCELLABLE) {
                    ThreadCancelled abort = self != null ? self.pendingAbort() : foreignAbort();
                    if (abort != null) {
                        if (w.abandon()) {
                            throw abort;
                        }
                        return true;
                    }
                }
                long now = System.nanoTime();
                if (limitNanos != Clocks.NO_DEADLINE && now - limitNanos >= 0) {
                    return !w.abandon();
                }
                long until = limitNanos;
                if (mode == Mode.CANCELLABLE && self != null) {
                    long deadline = self.visibleDeadline();
                    if (deadline != Clocks.NO_DEADLINE && (until == Clocks.NO_DEADLINE || deadline - until < 0)) {
                        until = deadline; // an expired deadline is delivered by the next round
                    }
                }
                // Cancellation is held back here (HOLD mode or a shield): park without the flag. A
                // foreign thread's cancellable wait keeps it: an interrupt that came after the check
                // above must end the wait at the next round, not be swallowed.
                if (self != null) {
                    self.absorbInterrupt();
                } else if (mode == Mode.HOLD && Thread.interrupted()) {
                    clearedInterrupt = true;
                }
                if (until == Clocks.NO_DEADLINE) {
                    LockSupport.park(w);
                } else if (until - now > 0) {
                    LockSupport.parkNanos(w, until - now);
                }
            }
        } finally {
            if (self != null) {
                self.exitWait();
            } else if (clearedInterrupt) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits until {@code condition} holds. The condition is evaluated while holding {@code lock};
     * whoever makes it true must call {@link WaitQueue#signalAll()} on {@code queue} under the
     * same lock.
     *
     * @return {@code true} when the condition holds, {@code false} if {@code limitNanos} passed
     * @throws ThreadCancelled as {@link #await} does, in a {@link Mode#CANCELLABLE} wait
     */
    public static boolean awaitCondition(Object lock, WaitQueue queue, BooleanSupplier condition,
            String blockedOn, Mode mode, long limitNanos) {
        for (;;) {
            if (!acquire(lock, queue, condition, blockedOn, mode, limitNanos)) {
                synchronized (lock) {
                    return condition.getAsBoolean();
                }
            }
            synchronized (lock) {
                if (condition.getAsBoolean()) {
                    return true;
                }
            }
        }
    }

    /**
     * The acquire path of every primitive: under {@code lock}, {@code tryNow} either takes what the
     * caller wants (and returns {@code true}) or the caller queues a waiter and parks until a
     * releaser hands it over by signalling that waiter (doing the bookkeeping for it, under the same
     * lock). A waiter that gives up is unlinked, so a hand-off can never reach it.
     *
     * @return {@code true} if taken at once or handed over, {@code false} if {@code limitNanos} passed
     * @throws ThreadCancelled in a {@link Mode#CANCELLABLE} wait, when the caller was cancelled or
     *     timed out before a hand-off; then nothing was taken
     */
    public static boolean acquire(Object lock, WaitQueue queue, BooleanSupplier tryNow,
            String blockedOn, Mode mode, long limitNanos) {
        Waiter w;
        synchronized (lock) {
            if (tryNow.getAsBoolean()) {
                return true;
            }
            w = new Waiter();
            queue.add(w);
        }
        return awaitHandOff(lock, queue, w, blockedOn, mode, limitNanos);
    }

    /**
     * Parks until {@code w}, already queued in {@code queue} under {@code lock}, is handed what it
     * waits for; unlinks it if it gives up.
     *
     * @return {@code true} if handed over, {@code false} if {@code limitNanos} passed
     */
    public static boolean awaitHandOff(Object lock, WaitQueue queue, Waiter w, String blockedOn, Mode mode,
            long limitNanos) {
        boolean handed = false;
        try {
            handed = await(w, blockedOn, mode, limitNanos);
            return handed;
        } finally {
            if (!handed) {
                synchronized (lock) {
                    queue.remove(w);
                }
            }
        }
    }

    /** Cancellation of a thread that is not a thredo thread: an interrupt, which stays set. */
    private static ThreadCancelled foreignAbort() {
        if (Thread.currentThread().isInterrupted()) {
            return new ThreadCancelled("interrupted while waiting");
        }
        return null;
    }
}
