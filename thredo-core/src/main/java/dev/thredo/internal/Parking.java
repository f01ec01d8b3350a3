package dev.thredo.internal;

import dev.thredo.ThreadCancelled;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The one waiting mechanism behind every thredo wait: {@link #await}, the parking loop of join, group
 * waits, kernel close and the synchronization primitives, and {@link #sleepUntil}, the same loop for a
 * sleep, which nothing signals.
 *
 * <p>A cancellable wait (every {@link Mode} but {@link Mode#HOLD}) is a delivery point: it ends with
 * the thread's pending {@link ThreadCancelled} or expired deadline, but only if it can first abandon
 * its {@link Waiter}; a waiter that was signalled first returns normally and leaves the cancellation
 * pending (the did-not-happen rule, decided by one CAS). A {@link Mode#HOLD} wait ignores both; it is
 * for the internal waits that must finish whatever happens (a group waiting for its cancelled
 * members, the re-acquire in {@code Condition.await}). The modes differ only for a thread that is not
 * a thredo thread, which has no cancellation but its interrupt.
 *
 * <p>Two ways to acquire: {@link #acquire} for a <em>hand-off</em> (fair) primitive, whose releaser
 * gives what is waited for to the first waiter and signals it, and {@link #acquireRetrying} for a
 * <em>barging</em> (non-fair) one, whose releaser makes the resource free and signals the first waiter
 * only to wake it; the woken waiter then competes with running threads and, if it loses, waits again
 * at the head of the queue. In both, a signal is consumed by exactly one waiter, and a waiter that
 * gives up before its signal is unlinked, so nothing is handed to (or woken for) a cancelled waiter.
 *
 * <p>The interrupt flag: a pending interrupt makes {@code LockSupport.park} return at once, so a
 * wait that holds cancellation back clears the flag while it parks (or it would spin) and the
 * thread's {@link ThreadControl} re-arms it on the way out if the cancellation is still to be
 * delivered. An interrupt from outside is taken as a cancellation request.
 */
public final class Parking {
    /** How a wait treats cancellation and deadlines, and, in a thread that is not a thredo thread, its interrupt. */
    public enum Mode {
        /**
         * A delivery point: cancellation and expired deadlines end the wait by exception. Outside a
         * thredo thread an interrupt ends it with {@link ThreadCancelled}, the flag left set.
         */
        CANCELLABLE,
        /**
         * As {@link #CANCELLABLE} in a thredo thread; outside one, the JDK interfaces' contract: an
         * interrupt ends the wait with {@link InterruptedException} (thrown even where the signature
         * does not declare it) and the flag cleared.
         */
        INTERRUPTIBLE,
        /**
         * As {@link #CANCELLABLE} in a thredo thread; outside one, the contract of the JDK's
         * {@code Lock.lock()}: interrupts are ignored while waiting and the flag is set again after.
         */
        UNINTERRUPTIBLE,
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
     * @throws ThreadCancelled in a cancellable wait, when the thread was cancelled or a deadline
     *     expired and the waiter could abandon before being signalled
     */
    public static boolean await(Waiter<?> w, String blockedOn, Mode mode, long limitNanos) {
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
                if (mode != Mode.HOLD) {
                    Throwable abort = self != null ? self.pendingAbort() : foreignAbort(mode);
                    if (abort != null) {
                        if (w.abandon()) {
                            if (abort instanceof InterruptedException) {
                                Thread.interrupted(); // the JDK contract: thrown with the flag cleared
                            }
                            throw Parking.<RuntimeException>sneaky(abort);
                        }
                        return true; // signalled first: the interrupt (or cancellation) stays pending
                    }
                }
                long now = System.nanoTime();
                if (limitNanos != Clocks.NO_DEADLINE && now - limitNanos >= 0) {
                    return !w.abandon();
                }
                long until = mode != Mode.HOLD && self != null ? parkLimit(self, limitNanos) : limitNanos;
                // Cancellation is held back here (HOLD mode or a shield): park without the flag. A
                // foreign thread's interruptible wait keeps it: an interrupt that came after the check
                // above must end the wait at the next round, not be swallowed.
                if (self != null) {
                    self.absorbInterrupt();
                } else if ((mode == Mode.HOLD || mode == Mode.UNINTERRUPTIBLE) && Thread.interrupted()) {
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
     * Sleeps until {@link System#nanoTime()} reaches {@code limitNanos}: a {@link Mode#CANCELLABLE}
     * {@link #await} that nothing signals, with the same delivery rules (the thread's cancellation or
     * an expired deadline is thrown unless a shield holds it back; outside a thredo thread an interrupt
     * ends it with {@link ThreadCancelled}, the flag left set). With no signaller the did-not-happen
     * CAS would always go to the sleeper, so there is no {@link Waiter} and nothing is allocated.
     * It parks without a blocker, as {@code Thread.sleep} does (dumps show this method's frame): a
     * blocker costs the park a {@code try}/{@code finally}, and this path stays small enough for the
     * JIT to inline it into the thread's run method, which keeps a blocked thread's stack one frame
     * shorter; that frame is most of what a million sleeping threads would keep beyond the JDK's.
     *
     * @param limitNanos when the sleep ends, never {@link Clocks#NO_DEADLINE}
     * @throws ThreadCancelled when the thread was cancelled or a deadline expired
     */
    public static void sleepUntil(long limitNanos) {
        ThreadControl self = ThreadControl.current();
        if (self == null) {
            sleepForeign(limitNanos);
            return;
        }
        self.enterWait("sleep");
        try {
            for (;;) {
                ThreadCancelled abort = self.pendingAbort();
                if (abort != null) {
                    throw abort;
                }
                long now = System.nanoTime();
                if (now - limitNanos >= 0) {
                    return;
                }
                long until = parkLimit(self, limitNanos);
                self.absorbInterrupt(); // a shield holds the cancellation back: park without the flag
                if (until - now > 0) {
                    LockSupport.parkNanos(until - now);
                }
            }
        } finally {
            self.exitWait();
        }
    }

    /** {@link #sleepUntil} in a thread that is not a thredo thread: only its interrupt ends the sleep early. */
    private static void sleepForeign(long limitNanos) {
        for (;;) {
            Throwable abort = foreignAbort(Mode.CANCELLABLE);
            if (abort != null) {
                throw Parking.<RuntimeException>sneaky(abort);
            }
            long now = System.nanoTime();
            if (now - limitNanos >= 0) {
                return;
            }
            LockSupport.parkNanos(limitNanos - now);
        }
    }

    /**
     * When a cancellable wait of {@code self} with the time limit {@code limitNanos} parks until: the
     * limit or the thread's visible deadline, whichever is earlier (an expired deadline is delivered by
     * the next round of the wait).
     */
    private static long parkLimit(ThreadControl self, long limitNanos) {
        long deadline = self.visibleDeadline();
        if (deadline != Clocks.NO_DEADLINE && (limitNanos == Clocks.NO_DEADLINE || deadline - limitNanos < 0)) {
            return deadline;
        }
        return limitNanos;
    }

    /**
     * Waits until {@code condition} holds. The condition is evaluated while holding {@code lock};
     * whoever makes it true must call {@link WaitQueue#signalAll()} on {@code queue} under the
     * same lock.
     *
     * @return {@code true} when the condition holds, {@code false} if {@code limitNanos} passed
     * @throws ThreadCancelled as {@link #await} does, in a {@link Mode#CANCELLABLE} wait
     */
    public static boolean awaitCondition(Object lock, WaitQueue<Void> queue, BooleanSupplier condition,
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
     * The acquire path of a hand-off (fair) primitive: the caller queues a waiter and, if it is the
     * first one still waiting, {@code tryNow} may take what it wants at once (and returns
     * {@code true}); otherwise it parks until a releaser hands it over by signalling that waiter
     * (doing the bookkeeping for it). The waiter is queued before {@code tryNow} runs, so a releaser
     * that changes the state without {@code lock} and then finds {@link WaitQueue#mayHaveWaiters()}
     * false cannot miss it. A waiter that gives up is unlinked, so a hand-off can never reach it.
     *
     * @param tryNow runs under {@code lock}
     * @return {@code true} if taken at once or handed over, {@code false} if {@code limitNanos} passed
     * @throws ThreadCancelled in a cancellable wait, when the caller was cancelled or timed out
     *     before a hand-off; then nothing was taken
     */
    public static boolean acquire(Object lock, WaitQueue<Void> queue, BooleanSupplier tryNow,
            String blockedOn, Mode mode, long limitNanos) {
        Waiter<Void> w = new Waiter<>();
        synchronized (lock) {
            queue.add(w);
            if (queue.peek() == w && tryNow.getAsBoolean()) {
                queue.remove(w);
                return true;
            }
        }
        return awaitHandOff(lock, queue, w, blockedOn, mode, limitNanos);
    }

    /**
     * The acquire path of a barging (non-fair) primitive. The caller has already tried once without
     * queueing. Then, in rounds: queue a waiter (at the head after a lost race, so a woken waiter
     * keeps its place), try again, and if that fails park until a releaser wakes the waiter, then try
     * once more before queueing again. A wake-up hands nothing over, so a waiter that was woken and
     * then cancelled took nothing, and a waiter always retries after a wake-up before it can see a
     * cancellation, so no wake-up is lost on a waiter that gives up. The releaser wakes with
     * {@link WaitQueue#wakeFirst()}, which wakes nobody else until the woken waiter has
     * {@linkplain WaitQueue#retried() retried}: taken what it wanted, or queued again first and about
     * to try once more. So woken waiters take their turns in arrival order, as in
     * {@code AbstractQueuedSynchronizer}, where only the first queued thread competes with running
     * ones. The caller, once this returns what it took, wakes the next waiter if more is available.
     *
     * @param tryNow takes what the caller wants and returns it, or returns {@code null}; runs both
     *     under {@code lock} and without it. It gets {@code arg}, so that a primitive can keep one
     *     non-capturing function for all its calls instead of allocating one per blocking call
     * @param arg what {@code tryNow} is applied to (the item a put inserts, say); may be {@code null}
     * @param <A> the type of {@code arg}
     * @param <W> what {@code queue}'s waiters may be handed; the waiters queued here are only woken
     * @return what {@code tryNow} took, or {@code null} if {@code limitNanos} passed first
     * @throws ThreadCancelled in a cancellable wait, when the caller was cancelled or timed out
     *     before it could take anything; then nothing was taken
     */
    public static <A, T, W> T acquireRetrying(Object lock, WaitQueue<W> queue, Function<? super A, ? extends T> tryNow,
            A arg, String blockedOn, Mode mode, long limitNanos) {
        for (boolean woken = false; ; woken = true) {
            Waiter<W> w = new Waiter<>();
            synchronized (lock) {
                if (woken) {
                    queue.addFirst(w);
                    queue.retried(); // queued again first: a release from now on wakes it
                } else {
                    queue.add(w);
                }
                T got;
                try {
                    got = tryNow.apply(arg);
                } catch (Throwable t) {
                    queue.remove(w);
                    queue.wakeFirst(); // a change this woken waiter was to see goes to the next
                    throw t;
                }
                if (got != null) {
                    queue.remove(w);
                    return got;
                }
            }
            if (!awaitHandOff(lock, queue, w, blockedOn, mode, limitNanos)) {
                return null;
            }
            T got;
            try {
                got = tryNow.apply(arg);
            } catch (Throwable t) {
                passOnWake(lock, queue);
                throw t;
            }
            if (got != null) {
                queue.retried(); // the caller's next step wakes the next waiter if more is available
                return got;
            }
        }
    }

    /**
     * For a woken waiter of a barging primitive whose retry failed by exception (a priority queue's
     * comparator, say): settles its retry and wakes the next waiter, which may have a change to see
     * that woke nobody meanwhile; at worst that waiter retries for nothing and waits again.
     */
    private static void passOnWake(Object lock, WaitQueue<?> queue) {
        synchronized (lock) {
            queue.retried();
            queue.wakeFirst();
        }
    }

    /**
     * Parks until {@code w}, already queued in {@code queue} under {@code lock}, is handed what it
     * waits for; unlinks it if it gives up.
     *
     * @return {@code true} if handed over, {@code false} if {@code limitNanos} passed
     */
    public static <W> boolean awaitHandOff(Object lock, WaitQueue<W> queue, Waiter<W> w, String blockedOn, Mode mode,
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

    /**
     * For the entry of an interruptible JDK-interface method ({@code take}, {@code acquire},
     * {@code lockInterruptibly}, {@code await}...): outside a thredo thread, an interrupt already
     * pending ends it at once with {@link InterruptedException}, the flag cleared, as the JDK's own
     * implementations do even when they would not wait. In a thredo thread an interrupt is a
     * cancellation, delivered only where the method waits.
     */
    public static void checkInterruptOnEntry() {
        if (Thread.currentThread().isInterrupted() && ThreadControl.current() == null) {
            Thread.interrupted();
            throw Parking.<RuntimeException>sneaky(new InterruptedException());
        }
    }

    /** What ends a cancellable wait of a thread that is not a thredo thread: its interrupt, as {@code mode} says. */
    private static Throwable foreignAbort(Mode mode) {
        if (mode == Mode.UNINTERRUPTIBLE || !Thread.currentThread().isInterrupted()) {
            return null;
        }
        return mode == Mode.INTERRUPTIBLE ? new InterruptedException() : new ThreadCancelled("interrupted while waiting");
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
