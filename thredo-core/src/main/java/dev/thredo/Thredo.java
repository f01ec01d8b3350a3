package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.ThreadControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The entry points: run a kernel, spawn threads, sleep, and scope timeouts and shields.
 *
 * <h2>Cancellation</h2>
 * A cancelled thread gets {@link ThreadCancelled} at its next blocking thredo operation (sleep,
 * join, a group wait, a thredo lock or queue wait, ...), and at {@link #sleep} and
 * {@link #checkCancellation} always; a thread that never blocks keeps running. Cancellation is
 * level-triggered: every later blocking operation throws again, so cleanup in {@code finally} cannot
 * hang on a dead peer; cleanup that must block runs inside {@link #shield}.
 *
 * <h2>Timeouts</h2>
 * {@link #timeoutAfter} scopes nest. The effective deadline is the earliest in force; when it
 * passes, the blocked thread gets {@link ThreadTimeout} at the blocking point, and keeps getting it
 * at every blocking point inside the expired scope. Leaving scopes, innermost first, the outermost
 * scope whose deadline had passed throws {@link ThreadTimeout} (or, for {@link #ignoreAfter},
 * swallows it); scopes inside it let it pass as {@link TimeoutCancelled}, so an inner
 * {@code catch (ThreadTimeout e)} cannot swallow an outer timeout; a timeout escaping a scope whose
 * deadline had not passed becomes {@link UncaughtTimeout}. A deadline that passes while the body no
 * longer blocks is dropped when the scope exits normally. Cancellation wins over timeouts.
 *
 * <p>Deadlines reach JDK blocking calls too: a deadline that passes while the thread is in
 * {@code Thread.sleep}, {@code BlockingQueue.take}, {@code Object.wait}, socket I/O,
 * {@code HttpClient.send} or any call that honours interrupts ends that call by interrupt (or, inside
 * an {@link #onCancel} registration, by its cancel action), and the scope's exit turns the call's
 * failure (an {@code InterruptedException}, a wrapped one, a closed socket, a cancelled statement)
 * into {@link ThreadTimeout} or {@link TimeoutCancelled} as above, with that failure as its cause. The
 * interrupt never leaks out of its scope: leaving the scope clears it unless a cancellation is due.
 * {@link #deadline()} hands the deadline to APIs with timeouts of their own (JDBC, HTTP clients).
 * Timeout and shield scopes need a thredo thread: outside one they throw
 * {@link IllegalStateException}.
 *
 * <p>Bodies may throw checked exceptions; whatever a body throws leaves {@link #run},
 * {@link #timeoutAfter}, {@link #ignoreAfter} and {@link #shield} unchanged, except for the timeout
 * conversions above.
 */
public final class Thredo {
    private Thredo() {
    }

    /**
     * Starts a kernel, runs {@code main} as thredo thread {@code "main"} and waits for it; then
     * cancels every thredo thread still alive, waits until every one has ended (with no grace
     * period: a thread ignoring its cancellation keeps {@code run} waiting and is logged as stuck),
     * and closes the kernel.
     *
     * @param <T> the type of main's value
     * @param main the body of thread {@code "main"}; not {@code null}
     * @return main's value
     * @throws Exception whatever main threw, unwrapped (a checked exception comes out as itself, a
     *     {@link ThreadCancelled} that main let escape as itself)
     */
    public static <T> T run(Callable<T> main) throws Exception {
        Kernel kernel = Kernel.builder().name("thredo").build();
        try {
            return kernel.run(main);
        } finally {
            kernel.closeAndWait();
        }
    }

    /**
     * Starts a thredo thread named {@code "thredo-<id>"} running {@code task} in the calling thread's
     * kernel, and returns without waiting for it to run.
     *
     * <p>Like {@link #spawn(String, Callable)}: the thread belongs to no group, and its parent is the
     * caller.
     *
     * @param <T> the type of the task's value
     * @param task what the thread runs; its value is what {@link ThredoThread#join()} returns
     * @return the started thread
     * @throws IllegalStateException outside a thredo thread, or if the caller's kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static <T> ThredoThread<T> spawn(Callable<T> task) {
        return spawnChild(null, task);
    }

    /**
     * Starts a thredo thread named {@code "thredo-<id>"} running {@code task} in the calling thread's
     * kernel, and returns without waiting for it to run.
     *
     * <p>Like {@link #spawn(String, Callable)}: the thread belongs to no group, and its parent is the
     * caller.
     *
     * @param task what the thread runs
     * @return the started thread, whose {@link ThredoThread#join()} returns {@code null}
     * @throws IllegalStateException outside a thredo thread, or if the caller's kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static ThredoThread<Void> spawn(Runnable task) {
        return spawnChild(null, task);
    }

    /**
     * Starts a thredo thread named {@code name} running {@code task} in the calling thread's kernel,
     * and returns without waiting for it to run.
     *
     * <p>The new thread belongs to no group: it may outlive the caller, and is cancelled at the
     * latest when the kernel closes. Its parent id is the caller's.
     *
     * @param <T> the type of the task's value
     * @param name the thread's name, shown in the kernel's listing and in thread dumps; need not be
     *     unique (the id is)
     * @param task what the thread runs; its value is what {@link ThredoThread#join()} returns
     * @return the started thread
     * @throws IllegalStateException outside a thredo thread, or if the caller's kernel is closed
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public static <T> ThredoThread<T> spawn(String name, Callable<T> task) {
        return spawnChild(Objects.requireNonNull(name, "name"), task);
    }

    /**
     * Starts a thredo thread named {@code name} running {@code task} in the calling thread's kernel,
     * and returns without waiting for it to run.
     *
     * <p>Like {@link #spawn(String, Callable)}: the thread belongs to no group, and its parent is the
     * caller.
     *
     * @param name the thread's name, shown in the kernel's listing and in thread dumps; need not be
     *     unique (the id is)
     * @param task what the thread runs
     * @return the started thread, whose {@link ThredoThread#join()} returns {@code null}
     * @throws IllegalStateException outside a thredo thread, or if the caller's kernel is closed
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public static ThredoThread<Void> spawn(String name, Runnable task) {
        return spawnChild(Objects.requireNonNull(name, "name"), task);
    }

    private static <T> ThredoThread<T> spawnChild(String name, Callable<T> task) {
        ThreadControl self = require("spawn");
        return ThredoThread.of(self.kernel().spawn(name, Objects.requireNonNull(task, "task"), false, self, null));
    }

    private static ThredoThread<Void> spawnChild(String name, Runnable task) {
        ThreadControl self = require("spawn");
        return ThredoThread.of(self.kernel().spawn(name, Objects.requireNonNull(task, "task"), false, self, null));
    }

    /**
     * The calling thredo thread.
     *
     * @return the calling thread's handle
     * @throws IllegalStateException outside a thredo thread (to ask without throwing: {@link #currentIfAny()})
     */
    public static ThredoThread<?> current() {
        return ThredoThread.of(require("current"));
    }

    /**
     * The calling thredo thread, or empty if the caller is not one: for libraries and integrations
     * that must ask "am I in a thredo thread?" without catching {@link #current()}'s exception. Cheap
     * enough for every request: one map lookup, and on a thread that is not a thredo thread it
     * allocates nothing (it returns {@link Optional#empty()}).
     *
     * @return the calling thredo thread; empty on a thread that is not one (or no longer one: an
     *     adoption that was closed)
     */
    public static Optional<ThredoThread<?>> currentIfAny() {
        ThreadControl self = ThreadControl.current();
        return self == null ? Optional.empty() : Optional.of(ThredoThread.of(self));
    }

    /**
     * Sleeps for {@code d} (zero or negative: not at all). Always a delivery point, even for
     * {@link Duration#ZERO}. Outside a thredo thread, an interrupt ends it with
     * {@link ThreadCancelled} (the interrupt flag stays set).
     *
     * @param d how long to sleep, measured on {@link System#nanoTime()}; not {@code null}. A deadline in
     *     force that is earlier ends the sleep with a timeout.
     * @throws ThreadCancelled if the thread is or gets cancelled
     * @throws ThreadTimeout if a deadline passes first
     */
    public static void sleep(Duration d) {
        Parking.sleepUntil(Clocks.deadlineAfter(d));
    }

    /**
     * Throws the pending cancellation, or a {@link ThreadTimeout} if a deadline in force has passed;
     * for CPU-bound loops. Outside a thredo thread, throws {@link ThreadCancelled} if the thread is
     * interrupted.
     *
     * @throws ThreadCancelled if a cancellation is pending (the thread stays cancelled: the next
     *     blocking operation throws again)
     * @throws ThreadTimeout if a deadline in force has passed
     */
    public static void checkCancellation() {
        ThreadControl self = ThreadControl.current();
        if (self == null) {
            if (Thread.currentThread().isInterrupted()) {
                throw new ThreadCancelled("interrupted");
            }
            return;
        }
        self.checkpoint();
    }

    /**
     * Runs {@code body} in the calling thread with a deadline {@code d} from now (see the class
     * comment for how nested scopes resolve an expiry).
     *
     * @param <T> the type of the body's value
     * @param <X> the checked exception the body may throw
     * @param d the time the body has, from now; zero or negative: it is expired at its first blocking
     *     point. An enclosing earlier deadline stays in force.
     * @param body the code to run, in the calling thread
     * @return the body's value
     * @throws ThreadTimeout if this scope is the outermost one whose deadline passed
     * @throws TimeoutCancelled if an enclosing scope's deadline passed
     * @throws UncaughtTimeout if a timeout of an inner scope escaped through this one
     * @throws X what the body throws
     * @throws IllegalStateException outside a thredo thread
     */
    public static <T, X extends Exception> T timeoutAfter(Duration d, Body<T, X> body) throws X {
        ThreadControl self = require("timeoutAfter");
        int level = self.enterTimeout(Clocks.deadlineAfter(d));
        try {
            return body.call();
        } catch (Throwable t) {
            Throwable out = onScopeExit(self, level, d, t, false);
            if (out == t) {
                throw t;
            }
            throw Exceptions.rethrow(out);
        } finally {
            self.exitTimeout();
        }
    }

    /**
     * The void form of {@link #timeoutAfter(Duration, Body)}.
     *
     * @param <X> the checked exception the body may throw
     * @param d the time the body has, from now; zero or negative: it is expired at its first blocking
     *     point
     * @param body the code to run, in the calling thread
     * @throws ThreadTimeout if this scope is the outermost one whose deadline passed
     * @throws TimeoutCancelled if an enclosing scope's deadline passed
     * @throws UncaughtTimeout if a timeout of an inner scope escaped through this one
     * @throws X what the body throws
     * @throws IllegalStateException outside a thredo thread
     */
    public static <X extends Exception> void timeoutAfter(Duration d, VoidBody<X> body) throws X {
        timeoutAfter(d, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Like {@link #timeoutAfter(Duration, Body)}, but this scope's own expiry is swallowed.
     *
     * @param <T> the type of the body's value
     * @param <X> the checked exception the body may throw
     * @param d the time the body has, from now; zero or negative: it is expired at its first blocking
     *     point
     * @param body the code to run, in the calling thread
     * @return the body's value; empty if the deadline expired or the body returned {@code null}
     * @throws TimeoutCancelled if an enclosing scope's deadline passed
     * @throws UncaughtTimeout if a timeout of an inner scope escaped through this one
     * @throws X what the body throws
     * @throws IllegalStateException outside a thredo thread
     */
    public static <T, X extends Exception> Optional<T> ignoreAfter(Duration d, Body<T, X> body) throws X {
        ThreadControl self = require("ignoreAfter");
        int level = self.enterTimeout(Clocks.deadlineAfter(d));
        try {
            return Optional.ofNullable(body.call());
        } catch (Throwable t) {
            Throwable out = onScopeExit(self, level, d, t, true);
            if (out == null) {
                return Optional.empty();
            }
            if (out == t) {
                throw t;
            }
            throw Exceptions.rethrow(out);
        } finally {
            self.exitTimeout();
        }
    }

    /**
     * The void form of {@link #ignoreAfter(Duration, Body)}.
     *
     * @param <X> the checked exception the body may throw
     * @param d the time the body has, from now; zero or negative: it is expired at its first blocking
     *     point
     * @param body the code to run, in the calling thread
     * @return {@code true} if the body completed, {@code false} if this scope's deadline expired
     * @throws TimeoutCancelled if an enclosing scope's deadline passed
     * @throws UncaughtTimeout if a timeout of an inner scope escaped through this one
     * @throws X what the body throws
     * @throws IllegalStateException outside a thredo thread
     */
    public static <X extends Exception> boolean ignoreAfter(Duration d, VoidBody<X> body) throws X {
        return ignoreAfter(d, () -> {
            body.run();
            return Boolean.TRUE;
        }).isPresent();
    }

    /**
     * What {@code t}, leaving the scope at {@code level} (of duration {@code d}), becomes: itself,
     * {@code null} if this scope is an {@code ignoreAfter} that swallows it, or the timeout it stands for.
     * A thredo timeout carries the time its expiry was observed; any other failure is a timeout's
     * doing if an expired deadline was delivered to this thread's JDK calls (an interrupt, a cancel
     * action), and is then the timeout's cause.
     */
    private static Throwable onScopeExit(ThreadControl self, int level, Duration d, Throwable t, boolean ignore) {
        long observedAt;
        if (t instanceof ThreadTimeout timeout) {
            observedAt = timeout.observedAtNanos();
        } else if (t instanceof TimeoutCancelled cancelled) {
            observedAt = cancelled.observedAtNanos();
        } else if (!(t instanceof ThreadCancelled) && (observedAt = self.deliveredDeadlineAt()) != Long.MIN_VALUE) {
            // a JDK call ended by the deadline
        } else {
            return t;
        }
        return switch (self.timeoutVerdict(level, observedAt)) {
            case 0 -> ignore ? null
                    : t instanceof ThreadTimeout ? t : withCause(new ThreadTimeout("timed out after " + d, observedAt), t);
            case 1 -> t instanceof TimeoutCancelled ? t
                    : withCause(new TimeoutCancelled("an enclosing deadline passed", observedAt), t);
            default -> t instanceof ThreadTimeout || t instanceof TimeoutCancelled
                    ? new UncaughtTimeout("a timeout escaped the timeoutAfter scope it belonged to", t) : t;
        };
    }

    private static Throwable withCause(Throwable t, Throwable cause) {
        return t.initCause(cause);
    }

    /**
     * Runs {@code body} with cancellation and enclosing deadlines held back: what arrives meanwhile
     * is delivered at the first blocking point after it. Deadlines set inside the shield still fire,
     * so cleanup can be bounded: {@code shield(() -> timeoutAfter(d, cleanup))}. While shielded, the
     * thread is not interrupted for a cancellation, so JDK calls inside run undisturbed.
     *
     * @param <T> the type of the body's value
     * @param <X> the checked exception the body may throw
     * @param body the code to run, in the calling thread; its own blocking operations are not
     *     delivery points for what the shield holds back
     * @return the body's value
     * @throws X what the body throws
     * @throws IllegalStateException outside a thredo thread
     */
    public static <T, X extends Exception> T shield(Body<T, X> body) throws X {
        ThreadControl self = require("shield");
        self.enterShield();
        try {
            return body.call();
        } finally {
            self.exitShield();
        }
    }

    /**
     * The void form of {@link #shield(Body)}.
     *
     * @param <X> the checked exception the body may throw
     * @param body the code to run, in the calling thread
     * @throws X what the body throws
     * @throws IllegalStateException outside a thredo thread
     */
    public static <X extends Exception> void shield(VoidBody<X> body) throws X {
        shield(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Registers {@code action} to run, instead of an interrupt, if the calling thread is cancelled or a
     * deadline in force expires before the returned registration is closed; for the span of one
     * blocking call that an interrupt cannot end or would end destructively. See {@link CancelAction}
     * for the guarantees (run off this thread, at most once, never after {@code close} returned).
     *
     * <p>A delivery point: a pending cancellation or expired deadline is thrown at once, and nothing
     * is registered. Outside a thredo thread nothing can cancel the call through thredo: the returned
     * registration is inert and the action never runs.
     *
     * @param action what ends the blocking call ({@code statement::cancel}, {@code socket::close}); it
     *     runs on another thread, and what it throws is kept in {@link CancelAction#failure()}
     * @return the registration; close it (try-with-resources) as soon as the call has returned
     * @throws NullPointerException if {@code action} is {@code null}
     * @throws ThreadCancelled if the thread is cancelled
     * @throws ThreadTimeout if a deadline in force has passed
     */
    public static CancelAction onCancel(VoidBody<? extends Exception> action) {
        return CancelAction.open(null, Objects.requireNonNull(action, "action"));
    }

    /**
     * {@link #onCancel(VoidBody)} for a call named {@code call}: while the registration is open, the
     * kernel's listing shows the thread blocked on it ({@code "jdbc executeQuery"}). Name the kind of
     * call, never data it carries (no SQL text, no parameters): listings are shown to operators.
     *
     * @param call what the thread is blocked on while the registration is open, as the listing shows it
     * @param action what ends the blocking call; it runs on another thread, and what it throws is kept
     *     in {@link CancelAction#failure()}
     * @return the registration; close it (try-with-resources) as soon as the call has returned
     * @throws NullPointerException if {@code call} or {@code action} is {@code null}
     * @throws ThreadCancelled if the thread is cancelled
     * @throws ThreadTimeout if a deadline in force has passed
     */
    public static CancelAction onCancel(String call, VoidBody<? extends Exception> action) {
        return CancelAction.open(Objects.requireNonNull(call, "call"), Objects.requireNonNull(action, "action"));
    }

    /**
     * The effective (earliest) deadline in force for the calling thread, to hand to JDBC or HTTP
     * timeouts; empty if none, inside a shield that hides every deadline, or outside a thredo thread.
     *
     * @return the wall-clock instant of the earliest deadline the calling thread must meet (computed
     *     from {@link System#nanoTime()}, so it may differ from a later {@code Instant.now()} reading
     *     by clock adjustments)
     */
    public static Optional<Instant> deadline() {
        ThreadControl self = ThreadControl.current();
        if (self == null) {
            return Optional.empty();
        }
        long d = self.visibleDeadline();
        return d == Clocks.NO_DEADLINE ? Optional.empty() : Optional.of(Clocks.toInstant(d));
    }

    static ThreadControl require(String what) {
        ThreadControl self = ThreadControl.current();
        if (self == null) {
            throw new IllegalStateException("Thredo." + what + " needs a thredo thread: start one with "
                    + "Thredo.run(...), Kernel.spawn(...) or Kernel.adopt(...)");
        }
        return self;
    }
}
