package dev.thredo;

import dev.thredo.internal.GroupLink;
import dev.thredo.internal.KernelCore;
import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.ThreadControl;
import dev.thredo.internal.WaitQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * A group of thredo threads that is waited for, and torn down, as one (thredo's {@code ThreadGroup};
 * named so because {@code java.lang.ThreadGroup} is imported into every Java file).
 *
 * <pre>{@code
 * try (ThredoGroup g = ThredoGroup.open()) {
 *     g.spawn(() -> fetch(a));
 *     g.spawn(() -> fetch(b));
 *     g.join();
 *     return g.results();
 * }
 * }</pre>
 *
 * <h2>Wait policies</h2>
 * {@link Wait} says what {@link #join()} waits for; "fails" always means outcome
 * {@link Outcome#FAILED} (a member cancelled from outside is not a failure; one that let its own
 * {@link ThreadTimeout} escape is). The policy reacts as members end, even before {@code join()} is
 * called: under {@code ALL} a failure cancels the other members at once; under {@code ANY} and
 * {@code OBJECT} a winner cancels the rest at once. Members spawned after that are cancelled as they
 * start. Daemon members never count for the policy (their failures are not group failures) and are
 * cancelled at join and close.
 *
 * <h2>Structure</h2>
 * Nothing a group spawned outlives its {@link #close()}: close cancels every member still running
 * and waits for them, holding back the caller's own cancellation while it does (so a cancelled
 * owner cannot leave members behind). Members may spawn more members while the group is open; after
 * {@code join()} has returned, or after {@link #cancelRemaining()} or {@code close()}, spawning throws
 * {@link IllegalStateException}.
 *
 * <h2>Blocking and cancellation</h2>
 * {@link #join()} and {@link #nextDone()} are delivery points for the caller's cancellation and
 * deadlines. If the joining thread is cancelled or times out while waiting in {@code join()}, every
 * member is cancelled and waited for, then the cancellation propagates. {@link #cancelRemaining()}
 * and {@link #close()} hold cancellation back while they wait.
 *
 * <p>Thread-safety: every method may be called from any thread; {@link #open} and {@link #current}
 * concern the calling thredo thread. The group's lock is private: code that synchronizes on a group
 * object does not stall it, and task decorators and kernel listeners run outside that lock.
 */
public final class ThredoGroup implements AutoCloseable {

    /** What {@link ThredoGroup#join()} waits for. */
    public enum Wait {
        /**
         * Every member. A member that fails cancels the others, and {@code join()} then throws
         * {@link GroupFailed}. A member cancelled from outside ends {@code CANCELLED} without tearing
         * its siblings down.
         */
        ALL,
        /**
         * The first member to succeed wins and the rest are cancelled. No winner: {@link GroupFailed}
         * if any member failed, otherwise {@code join()} returns and {@link #completed()} is empty.
         */
        ANY,
        /** Like {@link #ANY}, but only a non-null result wins. */
        OBJECT,
        /**
         * Nothing: {@code join()} cancels every member at once and waits for them; {@link GroupFailed}
         * if any member failed (before or while being cancelled). For worker pools that live as long
         * as a block.
         */
        NONE
    }

    private final long id;
    private final String name;
    private final Wait wait;
    private final KernelCore kernel;
    private final ThreadControl owner;
    private final ThredoGroup enclosing;
    private final Membership membership = new Membership();

    /**
     * Guards the group's state and is the monitor of its waits. Private, so that no code of the
     * application's can hold it, and held only for bookkeeping: no application code runs under it.
     */
    private final Object lock = new Object();
    // Guarded by lock.
    private final List<ThredoThread<?>> members = new ArrayList<>();
    private final ArrayDeque<ThredoThread<?>> endedUnreported = new ArrayDeque<>();
    private final List<ThredoThread<?>> failures = new ArrayList<>();
    private final WaitQueue<Void> waiters = new WaitQueue<>();
    private int running;
    private int runningCounted;       // running non-daemon members
    private boolean settled;          // the policy has decided: cancel whatever runs or starts
    private ThredoThread<?> winner;
    private boolean spawningClosed;
    private boolean joined;
    private boolean closed;

    private ThredoGroup(ThreadControl owner, String name, Wait wait) {
        this.owner = owner;
        this.kernel = owner.kernel();
        this.id = kernel.nextGroupId();
        this.name = name != null ? name : "group-" + id;
        this.wait = Objects.requireNonNull(wait, "wait");
        this.enclosing = innermostOpen(owner);
        owner.setInnermostGroup(membership);
        kernel.counters().groupOpened();
    }

    /**
     * Opens a {@link Wait#ALL} group named {@code "group-<id>"}, owned by the calling thredo thread;
     * it becomes the caller's {@linkplain #current() current} group until closed.
     *
     * @return the open group; close it (try-with-resources) in the thread that opened it
     * @throws IllegalStateException outside a thredo thread
     */
    public static ThredoGroup open() {
        return open(null, Wait.ALL);
    }

    /**
     * Opens a group named {@code "group-<id>"} with the given policy, owned by the calling thredo
     * thread; it becomes the caller's {@linkplain #current() current} group until closed.
     *
     * @param wait what {@link #join()} waits for; not {@code null}
     * @return the open group; close it (try-with-resources) in the thread that opened it
     * @throws IllegalStateException outside a thredo thread
     * @throws NullPointerException if {@code wait} is {@code null}
     */
    public static ThredoGroup open(Wait wait) {
        return open(null, wait);
    }

    /**
     * Opens a group named {@code name} (or {@code "group-<id>"} if {@code null}) owned by the calling
     * thredo thread; it becomes the caller's {@linkplain #current() current} group until closed.
     *
     * @param name the group's name, shown in the kernel's listing of its members; {@code null} for
     *     {@code "group-<id>"}
     * @param wait what {@link #join()} waits for; not {@code null}
     * @return the open group; close it (try-with-resources) in the thread that opened it
     * @throws IllegalStateException outside a thredo thread
     * @throws NullPointerException if {@code wait} is {@code null}
     */
    public static ThredoGroup open(String name, Wait wait) {
        return new ThredoGroup(Thredo.require("ThredoGroup.open"), name, wait);
    }

    /**
     * The innermost group opened by the calling thread and not yet closed; empty outside a thredo
     * thread. A member does not see the group it belongs to: pass the group to it if it must spawn
     * siblings.
     *
     * @return the calling thread's innermost open group; empty if it has none open, or outside a
     *     thredo thread
     */
    public static Optional<ThredoGroup> current() {
        ThreadControl self = ThreadControl.current();
        if (self == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(innermostOpen(self));
    }

    /** The innermost group {@code t} opened that is not closed (groups closed by other threads are skipped). */
    private static ThredoGroup innermostOpen(ThreadControl t) {
        ThredoGroup g = t.innermostGroup();
        while (g != null && g.isClosed()) {
            g = g.enclosing;
        }
        return g;
    }

    /** {@return the group's id: unique within its kernel and never reused} */
    public long id() {
        return id;
    }

    /** {@return the group's name, as given to {@link #open(String, Wait)} or {@code "group-<id>"}} */
    public String name() {
        return name;
    }

    /** {@return the group's wait policy, fixed when it was opened} */
    public Wait waitPolicy() {
        return wait;
    }

    /**
     * Starts a member named {@code "thredo-<id>"} running {@code task}, and returns without waiting
     * for it to run.
     *
     * <p>See {@link #spawn(String, Callable)} for who may spawn, the member's parent, and a policy that
     * has already decided.
     *
     * @param <T> the type of the task's value
     * @param task what the member runs; its value is its entry in {@link #results()}
     * @return the started member
     * @throws IllegalStateException once spawning is closed (after {@link #join()},
     *     {@link #cancelRemaining()} or {@link #close()}), or if the kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public <T> ThredoThread<T> spawn(Callable<T> task) {
        return admit(kernel.create(null, Objects.requireNonNull(task, "task"), false, spawner(), membership));
    }

    /**
     * Starts a member named {@code "thredo-<id>"} running {@code task}, and returns without waiting
     * for it to run.
     *
     * <p>See {@link #spawn(String, Callable)} for who may spawn, the member's parent, and a policy that
     * has already decided.
     *
     * @param task what the member runs; its entry in {@link #results()} is {@code null}
     * @return the started member
     * @throws IllegalStateException once spawning is closed (after {@link #join()},
     *     {@link #cancelRemaining()} or {@link #close()}), or if the kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public ThredoThread<Void> spawn(Runnable task) {
        return admit(kernel.create(null, Objects.requireNonNull(task, "task"), false, spawner(), membership));
    }

    /**
     * Starts a member named {@code name} running {@code task}, and returns without waiting for it to
     * run.
     *
     * <p>Any thread may spawn into an open group; the member's parent is the spawning thredo thread
     * (or the group's owner, if the caller is not one). The member is cancelled at once if the policy
     * has already decided (a failure under {@code ALL}, a winner under {@code ANY}/{@code OBJECT}).
     *
     * @param <T> the type of the task's value
     * @param name the member's thread name; need not be unique (the id is)
     * @param task what the member runs; its value is its entry in {@link #results()}
     * @return the started member
     * @throws IllegalStateException once spawning is closed (after {@link #join()},
     *     {@link #cancelRemaining()} or {@link #close()}), or if the kernel is closed
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public <T> ThredoThread<T> spawn(String name, Callable<T> task) {
        return admit(kernel.create(Objects.requireNonNull(name, "name"), Objects.requireNonNull(task, "task"), false,
                spawner(), membership));
    }

    /**
     * Starts a member named {@code name} running {@code task}, and returns without waiting for it to
     * run.
     *
     * <p>See {@link #spawn(String, Callable)} for who may spawn, the member's parent, and a policy that
     * has already decided.
     *
     * @param name the member's thread name; need not be unique (the id is)
     * @param task what the member runs; its entry in {@link #results()} is {@code null}
     * @return the started member
     * @throws IllegalStateException once spawning is closed (after {@link #join()},
     *     {@link #cancelRemaining()} or {@link #close()}), or if the kernel is closed
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public ThredoThread<Void> spawn(String name, Runnable task) {
        return admit(kernel.create(Objects.requireNonNull(name, "name"), Objects.requireNonNull(task, "task"), false,
                spawner(), membership));
    }

    /**
     * Starts a daemon member: it never counts for the wait policy or {@link #results()}, and is
     * cancelled at join and close. Its failure is not a group failure.
     *
     * @param <T> the type of the task's value
     * @param task what the daemon runs, typically until cancelled
     * @return the started member
     * @throws IllegalStateException once spawning is closed, or if the kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public <T> ThredoThread<T> spawnDaemon(Callable<T> task) {
        return admit(kernel.create(null, Objects.requireNonNull(task, "task"), true, spawner(), membership));
    }

    /**
     * Starts a daemon member, as {@link #spawnDaemon(Callable)}.
     *
     * @param task what the daemon runs, typically until cancelled
     * @return the started member
     * @throws IllegalStateException once spawning is closed, or if the kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public ThredoThread<Void> spawnDaemon(Runnable task) {
        return admit(kernel.create(null, Objects.requireNonNull(task, "task"), true, spawner(), membership));
    }

    /**
     * The parent of a member about to be created: the calling thredo thread, else the owner. Checks
     * first that a member may be spawned, so that the task decorator (run by the creation) does not
     * run for one that cannot be.
     */
    private ThreadControl spawner() {
        ThreadControl parent = ThreadControl.current();
        synchronized (lock) {
            checkSpawning();
        }
        return parent != null ? parent : owner;
    }

    /**
     * Counts the member {@code t}, just created, then starts it: counted before its start, so that
     * its end (which may come at once) is counted after its start. Runs no code of the
     * application's (task decorators, listeners) and no {@code Thread.start} under the group's lock.
     */
    private <T> ThredoThread<T> admit(ThreadControl t) {
        boolean daemon = t.isDaemon();
        ThredoThread<T> member = ThredoThread.of(t);
        boolean cancel;
        synchronized (lock) {
            checkSpawning();
            members.add(member);
            running++;
            if (!daemon) {
                runningCounted++;
            }
            cancel = settled; // settled later: whoever settles it cancels this member, listed above
        }
        try {
            kernel.start(t);
        } catch (RuntimeException | Error e) { // the kernel closed, or no thread could start: it never ran
            synchronized (lock) {
                members.remove(member);
                running--;
                if (!daemon) {
                    runningCounted--;
                }
                waiters.signalAll();
            }
            throw e;
        }
        if (cancel) {
            t.requestCancel();
        }
        return member;
    }

    /** Throws if no more members may be spawned (guarded by {@link #lock}). */
    private void checkSpawning() {
        if (spawningClosed) {
            throw new IllegalStateException("group " + name + " is " + (closed ? "closed" : "joined")
                    + "; no more members can be spawned");
        }
    }

    /**
     * Waits as the policy says, cancelling the members it gives up on (and every daemon member), and
     * closes the group to spawning. A delivery point: if the caller is cancelled or times out while
     * waiting, every member is cancelled and waited for, then the cancellation propagates.
     *
     * @throws GroupFailed as the policy says
     * @throws ThreadCancelled if the caller is cancelled or times out while waiting
     */
    public void join() {
        int self = callerIsCountedMember() ? 1 : 0; // a member joining its own group does not wait for itself
        BooleanSupplier done = switch (wait) {
            case ALL -> () -> runningCounted == self;
            case ANY, OBJECT -> () -> winner != null || runningCounted == self;
            case NONE -> () -> true;
        };
        try {
            Parking.awaitCondition(lock, waiters, done, "ThredoGroup.join " + name, Parking.Mode.CANCELLABLE, Clocks.NO_DEADLINE);
        } finally {
            // Reached normally, or by the caller's cancellation: either way nothing may be left running.
            cancelAndAwaitMembers();
        }
        List<ThredoThread<?>> failed;
        synchronized (lock) {
            joined = true;
            failed = (wait == Wait.ANY || wait == Wait.OBJECT) && winner != null ? List.of() : List.copyOf(failures);
        }
        if (!failed.isEmpty()) {
            throw groupFailed(failed);
        }
    }

    /**
     * Waits for the next member to end and returns it, each member once, in the order they ended;
     * {@code null} when every member has ended and been returned. A delivery point.
     *
     * @return the next member to have ended (its outcome is final), or {@code null} if none is running
     *     and every ended one was returned
     * @throws ThreadCancelled if the caller is cancelled or times out while waiting
     */
    public ThredoThread<?> nextDone() {
        Parking.awaitCondition(lock, waiters, () -> !endedUnreported.isEmpty() || running == 0,
                "ThredoGroup.nextDone " + name, Parking.Mode.CANCELLABLE, Clocks.NO_DEADLINE);
        synchronized (lock) {
            return endedUnreported.poll();
        }
    }

    /**
     * The result of {@link #nextDone()}; rethrows what the member threw, unwrapped.
     *
     * @param <R> the type the caller expects; not checked, so a mismatch surfaces as a
     *     {@link ClassCastException} where the value is used
     * @return the value of the next member to have ended, if it succeeded
     * @throws ThreadCancelled if the caller is cancelled or times out while waiting, or (as itself) if
     *     that member let a cancellation escape
     * @throws NoSuchElementException if no member is left
     */
    @SuppressWarnings("unchecked")
    public <R> R nextResult() {
        ThredoThread<?> t = nextDone();
        if (t == null) {
            throw new NoSuchElementException("group " + name + " has no member left");
        }
        if (t.outcome() == Outcome.SUCCEEDED) {
            return (R) t.resultNow();
        }
        throw Exceptions.<RuntimeException>rethrow(t.exceptionNow());
    }

    /**
     * For {@link Wait#ANY} and {@link Wait#OBJECT}: the winning member, if one won. Does not wait.
     *
     * @return the first member to succeed (with a non-null result under {@code OBJECT}); empty if none
     *     has yet, and always empty under {@code ALL} and {@code NONE}
     */
    public Optional<ThredoThread<?>> completed() {
        synchronized (lock) {
            return Optional.ofNullable(winner);
        }
    }

    /**
     * For {@link Wait#ANY} and {@link Wait#OBJECT}: the winning member's result. Does not wait.
     *
     * @param <R> the type the caller expects; not checked, so a mismatch surfaces as a
     *     {@link ClassCastException} where the value is used
     * @return the value of the {@linkplain #completed() winning} member
     * @throws IllegalStateException if no member won
     */
    @SuppressWarnings("unchecked")
    public <R> R result() {
        ThredoThread<?> w = completed().orElseThrow(() -> new IllegalStateException("no member of group " + name + " won"));
        return (R) w.resultNow();
    }

    /**
     * After {@link #join()}: one entry per non-daemon member in spawn order, {@code null} for a
     * member that ended {@code CANCELLED}.
     *
     * @return a new list of the members' values, in spawn order
     * @throws IllegalStateException before {@code join()} has returned
     * @throws GroupFailed if any non-daemon member failed
     */
    public List<Object> results() {
        List<ThredoThread<?>> snapshot;
        List<ThredoThread<?>> failed;
        synchronized (lock) {
            if (!joined) {
                throw new IllegalStateException("results() of group " + name + " before join()");
            }
            snapshot = List.copyOf(members);
            failed = List.copyOf(failures);
        }
        if (!failed.isEmpty()) {
            throw groupFailed(failed);
        }
        List<Object> out = new ArrayList<>();
        for (ThredoThread<?> t : snapshot) {
            if (!t.isDaemon()) {
                out.add(t.outcome() == Outcome.SUCCEEDED ? t.resultNow() : null);
            }
        }
        return out;
    }

    /** {@return every member ever spawned into the group, finished or not, in spawn order} A snapshot. */
    public List<ThredoThread<?>> threads() {
        synchronized (lock) {
            return List.copyOf(members);
        }
    }

    /**
     * Cancels every running member and waits for them (holding back the caller's own cancellation),
     * and closes the group to spawning.
     */
    public void cancelRemaining() {
        cancelAndAwaitMembers();
    }

    /**
     * Cancels every member still running (also when {@link #join()} was never called, e.g. because
     * the body threw) and waits for them to end, holding back the caller's own cancellation.
     * Idempotent. Nothing the group spawned outlives this call.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        cancelAndAwaitMembers();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (owner.thread() == Thread.currentThread() && owner.innermostGroup() == this) {
            ThredoGroup open = innermostOpen(owner); // this one is closed now
            owner.setInnermostGroup(open == null ? null : open.membership);
        }
        kernel.counters().groupClosed();
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /**
     * Closes spawning, requests cancellation of every running member, and waits for all to end. A
     * member calling this (it was handed the group) neither cancels nor waits for itself.
     */
    private void cancelAndAwaitMembers() {
        ThreadControl caller = ThreadControl.current();
        boolean callerIsMember = caller != null && caller.group() == membership;
        List<ThredoThread<?>> toCancel;
        synchronized (lock) {
            spawningClosed = true;
            settled = true;
            toCancel = runningMembers();
        }
        for (ThredoThread<?> t : toCancel) {
            if (t.control() != caller) {
                t.requestCancel();
            }
        }
        int self = callerIsMember ? 1 : 0;
        Parking.awaitCondition(lock, waiters, () -> running == self, "ThredoGroup.close " + name, Parking.Mode.HOLD, Clocks.NO_DEADLINE);
    }

    /** Whether the calling thread is a non-daemon member of this group. */
    private boolean callerIsCountedMember() {
        ThreadControl caller = ThreadControl.current();
        return caller != null && caller.group() == membership && !caller.isDaemon();
    }

    private List<ThredoThread<?>> runningMembers() {
        List<ThredoThread<?>> out = new ArrayList<>();
        for (ThredoThread<?> t : members) {
            if (!t.isDone()) {
                out.add(t);
            }
        }
        return out;
    }

    private GroupFailed groupFailed(List<ThredoThread<?>> failed) {
        return new GroupFailed(failed.size() + " member(s) of group " + name + " failed", failed);
    }

    /**
     * A member ended: publish its outcome, count it, apply the policy, wake waiters, all under the
     * group's lock. Runs on the member's thread.
     */
    private void memberEnded(ThreadControl member, Outcome o, Runnable publishOutcome) {
        ThredoThread<?> t = ThredoThread.of(member);
        List<ThredoThread<?>> toCancel = List.of();
        synchronized (lock) {
            publishOutcome.run();
            running--;
            endedUnreported.add(t);
            if (!member.isDaemon()) {
                runningCounted--;
                if (o == Outcome.FAILED) {
                    failures.add(t);
                }
                if (!settled && decides(t, o)) {
                    settled = true;
                    toCancel = runningMembers();
                }
            }
            waiters.signalAll();
        }
        for (ThredoThread<?> other : toCancel) {
            other.requestCancel();
        }
    }

    /** Whether this member's end settles the group; records a winner (guarded by {@link #lock}). */
    private boolean decides(ThredoThread<?> t, Outcome o) {
        boolean wins = switch (wait) {
            case ANY -> o == Outcome.SUCCEEDED;
            case OBJECT -> o == Outcome.SUCCEEDED && t.resultNow() != null;
            case ALL, NONE -> false;
        };
        if (wins) {
            winner = t;
        }
        return wins || (wait == Wait.ALL && o == Outcome.FAILED);
    }

    @Override
    public String toString() {
        return "ThredoGroup[#" + id + " " + name + " " + wait + "]";
    }

    /** The group as its members' threads see it. */
    private final class Membership implements GroupLink {
        @Override
        public ThredoGroup group() {
            return ThredoGroup.this;
        }

        @Override
        public long groupId() {
            return id;
        }

        @Override
        public String groupName() {
            return name;
        }

        @Override
        public void memberEnded(ThreadControl member, Outcome outcome, Runnable publishOutcome) {
            ThredoGroup.this.memberEnded(member, outcome, publishOutcome);
        }
    }
}
