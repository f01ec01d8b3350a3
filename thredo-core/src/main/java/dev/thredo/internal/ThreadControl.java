package dev.thredo.internal;

import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The kernel's control block for one thredo thread: its life cycle, its cancellation, its deadline
 * scopes, and what it is blocked on. The public {@code ThredoThread} is a view of it.
 *
 * <h2>Life cycle</h2>
 * One {@code int state}: a phase in the low bits and a {@code CANCEL_REQUESTED} flag, changed only
 * by CAS. The legal transitions are
 * <pre>
 *   RUNNING                      -> RUNNING|CANCEL_REQUESTED      requestCancel, or an interrupt seen by the thread
 *   RUNNING[|CANCEL_REQUESTED]   -> COMPLETING[|CANCEL_REQUESTED] the body returned or threw: the flag is frozen
 *   COMPLETING                   -> SUCCEEDED | FAILED            returned / threw
 *   COMPLETING|CANCEL_REQUESTED  -> SUCCEEDED|CANCEL_REQUESTED    the body swallowed the cancellation and returned
 *   COMPLETING|CANCEL_REQUESTED  -> CANCELLED|CANCEL_REQUESTED    the body threw anything
 *   RUNNING[|CANCEL_REQUESTED]   -> COMPLETING[|CANCEL_REQUESTED] for good: an adoption refused ({@link #refuseAdoption})
 * </pre>
 * {@code COMPLETING} (as in {@code FutureTask}) lets the kernel count the outcome before anyone can
 * see the thread done; during it the thread counts as running but can no longer be cancelled.
 * A body that throws with no request is also counted as cancelled when the throw is plainly the
 * work of an interrupt from outside (the interrupt flag is set, or an {@code InterruptedException}
 * is in the cause chain): an outside interrupt is a cancellation request.
 *
 * <h2>Cancellation delivery</h2>
 * Level-triggered: while the flag is set and no shield is open, every blocking point throws
 * ({@link #pendingAbort()}), and the thread's interrupt flag is kept set so that JDK blocking calls
 * end too. {@link #requestCancel()} never blocks: if the thread sits in a thredo wait it is only
 * unparked; otherwise the cancellation is delivered from another thread ({@link CancelDelivery}),
 * because {@code Thread.interrupt()} of a virtual thread in {@code FileChannel.read} blocks the
 * interrupter. The two sides meet Dekker-style on the volatile {@code state} and {@code blockedOn}:
 * the canceller writes the state then reads {@code blockedOn}; the thread clears {@code blockedOn}
 * then reads the state ({@link #exitWait()}), so one of them always sees the other.
 *
 * <h2>Deadlines reach JDK calls</h2>
 * Thredo waits park until the visible deadline themselves. For a thread in a JDK call, each scope
 * that makes the effective deadline earlier arms the {@link DeadlineTimer}, which has the expired
 * deadline delivered like a cancellation: an interrupt, or the open cancel action. The delivery
 * marks the gate {@code DEADLINE_DELIVERED}: the interrupt flag is then the deadline's, not an
 * outside cancellation request, and a failure leaving a scope is the deadline's doing
 * ({@link #deliveredDeadlineAt()}). When the owner's visible deadline becomes later (a scope left,
 * a shield entered) and the delivered one no longer applies, the owner clears the flag: a deadline's
 * interrupt never leaks out of its scope. A cancellation wins: it is not followed by its deadlines.
 *
 * <h2>The gate</h2>
 * A delivery decides (phase, shield depth, published deadline, cancel action) and interrupts while
 * holding the {@code gate}'s lock bit, a few instructions and one {@code interrupt()}. The owner
 * changes those values first (volatile writes) and then waits until the gate is not held
 * ({@link #awaitDeliveries()}): a delivery that decided on the old values has then delivered, and
 * every later one sees the new values. So no interrupt reaches a thread after it entered a shield,
 * left the deadline's scope, opened a cancel action, or ended its adoption. The owner's fast path
 * is one volatile read of the gate. (A CAS bit rather than a monitor: no delivery thread may block
 * inside a monitor, which pins a carrier on JDK 21 to 23.)
 *
 * <h2>Cancel actions</h2>
 * While a {@link CancelActionControl} registration is open, deliveries claim and run its action
 * instead of interrupting; closing it waits for a running action, then re-arms what is pending.
 *
 * <h2>Memory effects</h2>
 * The outcome value is written before the state CAS that publishes the outcome, so a thread that
 * sees a final phase sees it.
 */
public final class ThreadControl implements Runnable {
    /** The control block of every thread that is a thredo thread now, by its JDK thread: what {@link #current()} reads. */
    private static final CurrentThreads CURRENT = new CurrentThreads();

    static final int RUNNING = 0;
    static final int SUCCEEDED = 1;
    static final int FAILED = 2;
    static final int CANCELLED = 3;
    static final int COMPLETING = 4;
    static final int PHASE = 7;
    static final int CANCEL_REQUESTED = 8;

    /** {@code gate} bit: a delivery holds the gate, between its decision and its interrupt. */
    private static final int GATE_LOCKED = 1;
    /** {@code gate} bit: an expired deadline was delivered and still applies (the interrupt flag may be its). */
    private static final int DEADLINE_DELIVERED = 2;

    private static final VarHandle STATE;
    private static final VarHandle FACADE;
    private static final VarHandle GATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(ThreadControl.class, "state", int.class);
            FACADE = l.findVarHandle(ThreadControl.class, "facade", ThredoThread.class);
            GATE = l.findVarHandle(ThreadControl.class, "gate", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    /** Final for spawned threads; an adopted thread may be renamed by its adopter ({@link #rename}). */
    private volatile String name;
    // The Registry's links; guarded by the registry stripe of this id. The first references after the
    // name, for a listing by name: HotSpot lays references out in declaration order, so these share
    // the name's cache line, and a young collection copies a block's referents in that order, depth
    // first, so a list lies in the heap as block, name, next block (results/changes.md section 7).
    ThreadControl registryNext;
    ThreadControl registryPrev;
    boolean registered;
    private final boolean daemon;
    private final long parentId;
    private final GroupLink group;
    private final KernelCore kernel;
    private final long startedAtMillis;
    private Thread thread;
    private ThredoThread<?> facade;

    private volatile int state;
    /**
     * Until the thread ends, what it runs: a {@code Callable}, or a {@code Runnable} kept as itself
     * (its result is {@code null}; one that is also a {@code Callable} is kept behind an adapter, so
     * that the type tells which method to call), or {@code null} for an adopted thread. Once it has
     * ended, its outcome: the body's value if {@code SUCCEEDED}, else the {@code Throwable} it threw,
     * as the phase tells. One field for the three, not three: the block is kept while the thread
     * lives and while a handle to it does, and a million threads may be blocked.
     */
    private Object taskOrOutcome;
    /** When cancellation was requested; set just after {@code CANCEL_REQUESTED}, so briefly {@code null} after it. */
    private volatile CancelRequest cancelRequest;
    private volatile String blockedOn;
    private volatile boolean wokenByInterrupt;
    /** {@link #GATE_LOCKED} and {@link #DEADLINE_DELIVERED}; see "Delivery" in the class comment. */
    private volatile int gate;
    /** The innermost open cancel action registration, or {@code null}: run instead of the interrupt. */
    private volatile CancelActionControl action;
    /**
     * The thread's timeout and shield scopes with what deliveries read of them (published deadline,
     * shield depth, armed timer entry), or {@code null} until its first scope: a thread that never
     * opens one does not carry them. Created and changed by the owner; read by deliveries, the timer
     * and the registry.
     */
    private volatile DeadlineStack deadlines;
    /** The innermost open group this thread owns; written by the owner, read by the registry. */
    private volatile GroupLink ownedGroup;
    // Guarded by this.
    private WaitQueue<Void> terminationWaiters;

    ThreadControl(KernelCore kernel, long id, String name, boolean daemon, long parentId,
            GroupLink group, Callable<?> callable, Runnable runnable) {
        this.kernel = kernel;
        this.id = id;
        this.name = name;
        this.daemon = daemon;
        this.parentId = parentId;
        this.group = group;
        this.taskOrOutcome = callable != null ? callable
                : runnable instanceof Callable<?> ? (Runnable) runnable::run : runnable;
        this.startedAtMillis = System.currentTimeMillis();
    }

    /** The control block of the calling thread, or {@code null} if it is not a thredo thread. */
    public static ThreadControl current() {
        return CURRENT.get(Thread.currentThread());
    }

    void bindThread(Thread t) {
        this.thread = t;
    }

    /** Makes the calling (foreign) thread, already {@linkplain #bindThread bound}, current; see {@link KernelCore#adopt}. */
    void attachCurrent() {
        CURRENT.attach(this);
    }

    /**
     * For an adoption whose registration was refused, on the calling thread (bound, never current):
     * a close may have seen it registered and cancelled it. Freezes the phase, so that no delivery
     * interrupts the thread after this returns, waits out one on its way, and clears an interrupt
     * that such a delivery set unless the thread was interrupted before.
     */
    void refuseAdoption(boolean wasInterrupted) {
        int s;
        do {
            s = state;
        } while (!STATE.compareAndSet(this, s, COMPLETING | (s & CANCEL_REQUESTED)));
        awaitDeliveries();
        if (isCancelRequested() && !wasInterrupted) {
            Thread.interrupted();
        }
    }

    /** Undoes {@link #attachCurrent()}, on the same thread. */
    void detachCurrent() {
        CURRENT.detach(this);
    }

    /**
     * For an adopted thread that has {@linkplain #end ended}: once no delivery is on its way (none
     * starts after the end), clears an interrupt flag that a cancellation or deadline of its own set,
     * so the thread goes back to its pool as it came.
     */
    void clearOwnInterrupt() {
        awaitDeliveries();
        if (isCancelRequested() || (gate & DEADLINE_DELIVERED) != 0) {
            Thread.interrupted();
        }
    }

    @Override
    public void run() {
        CURRENT.attach(this);
        try {
            Object value = null;
            Throwable failure = null;
            try {
                if (taskOrOutcome instanceof Callable<?> c) {
                    value = c.call();
                } else {
                    ((Runnable) taskOrOutcome).run();
                }
            } catch (Throwable t) {
                failure = t;
            }
            end(value, failure); // replaces the task by the outcome
        } finally {
            CURRENT.detach(this); // a ThreadLocal died with its thread; an entry here would not
        }
    }

    /**
     * Ends the thread: leaves the registry, counts and publishes the outcome (through its group, if
     * it has one), wakes joiners, and only then lets the kernel count it as ended. Called once, by
     * the thread itself.
     */
    void end(Object value, Throwable failure) {
        kernel.registry.remove(this);
        DeadlineStack d = deadlines;
        if (d != null) {
            d.disarm(); // the timer need not hold this thread until its entry is due
        }
        taskOrOutcome = failure == null ? value : failure;
        int frozen;
        do {
            frozen = state;
        } while (!STATE.compareAndSet(this, frozen, COMPLETING | (frozen & CANCEL_REQUESTED)));
        int last;
        if (failure == null) {
            last = SUCCEEDED | (frozen & CANCEL_REQUESTED);
        } else if ((frozen & CANCEL_REQUESTED) != 0 || causedByInterrupt(failure)) {
            last = CANCELLED | CANCEL_REQUESTED;
        } else {
            last = FAILED;
        }
        Outcome outcome = phaseOutcome(last);
        kernel.counters.countEnded(outcome);
        kernel.events().ended(this, outcome, nanosSinceCancelRequest());
        if (group != null) {
            // The group publishes the outcome under its own lock, so no one can see this thread
            // done before the group has counted it (a later member could otherwise win an ANY race).
            group.memberEnded(this, outcome, () -> state = last);
        } else {
            state = last;
        }
        synchronized (this) {
            if (terminationWaiters != null) {
                terminationWaiters.signalAll();
            }
        }
        kernel.threadEnded();
    }

    private static boolean causedByInterrupt(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException
                    || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    // ---- cancellation ----

    /**
     * Requests cancellation; never blocks.
     *
     * @return {@code false} if the thread had already ended
     */
    public boolean requestCancel() {
        for (;;) {
            int s = state;
            if ((s & PHASE) != RUNNING) {
                return false;
            }
            if ((s & CANCEL_REQUESTED) != 0) {
                return true;
            }
            if (STATE.compareAndSet(this, s, s | CANCEL_REQUESTED)) {
                break;
            }
        }
        stampCancelRequest();
        if (blockedOn != null && !wokenByInterrupt) {
            LockSupport.unpark(thread); // parked in a thredo wait: it sees the request when it wakes, or in exitWait
        } else {
            kernel.delivery.cancel(this);
        }
        return true;
    }

    /** Records an interrupt that the thread itself noticed as a cancellation request. */
    void noteInterrupt() {
        for (;;) {
            int s = state;
            if ((s & CANCEL_REQUESTED) != 0 || (s & PHASE) != RUNNING) {
                return;
            }
            if (STATE.compareAndSet(this, s, s | CANCEL_REQUESTED)) {
                stampCancelRequest();
                return;
            }
        }
    }

    /**
     * For a wait that holds cancellation back (a shield, a HOLD wait): clears the calling owner's
     * interrupt flag, which would otherwise make every park or select return at once, and records a
     * pending interrupt as a cancellation request, unless it is a delivered deadline's;
     * {@link #exitWait()} or the shield's exit re-arms it when it may be delivered.
     *
     * @return whether the flag was set
     */
    public boolean absorbInterrupt() {
        // Read before clearing: the read is a field load, the clear a call (which takes a lock in a
        // virtual thread), and waits pass here on every round.
        Thread me = Thread.currentThread();
        if (me.isInterrupted() && Thread.interrupted()) {
            if ((gate & DEADLINE_DELIVERED) == 0) {
                noteInterrupt();
            }
            return true;
        }
        return false;
    }

    private void stampCancelRequest() {
        cancelRequest = new CancelRequest(System.nanoTime(), System.currentTimeMillis());
    }

    /** When cancellation was requested, by both clocks. */
    private record CancelRequest(long nanos, long epochMillis) {
    }

    // ---- delivery (see the class comment) ----

    /** On a delivery thread: ends the thread's JDK call for its cancellation, unless it has ended or is shielded. */
    void deliverCancel() {
        CancelActionControl claimed = null;
        lockGate();
        try {
            if ((state & PHASE) == RUNNING && shieldDepth() == 0) {
                claimed = interruptOrClaim();
            }
        } finally {
            unlockGate();
        }
        if (claimed != null) {
            claimed.runClaimed();
        }
    }

    /**
     * On a delivery thread: ends the thread's JDK call for its expired deadline, unless the deadline no
     * longer applies (its scope was left, a shield hides it) or a cancellation was delivered instead.
     */
    void deliverDeadline() {
        CancelActionControl claimed = null;
        lockGate();
        try {
            int s = state;
            DeadlineStack d = deadlines;
            long deadline = d == null ? Clocks.NO_DEADLINE : d.published;
            long now = System.nanoTime();
            boolean cancelDelivered = (s & CANCEL_REQUESTED) != 0 && shieldDepth() == 0; // cancellation wins
            if ((s & PHASE) == RUNNING && !cancelDelivered && deadline != Clocks.NO_DEADLINE && now - deadline >= 0) {
                if ((gate & DEADLINE_DELIVERED) == 0) {
                    d.firedAt = now;
                    gate = GATE_LOCKED | DEADLINE_DELIVERED;
                }
                claimed = interruptOrClaim();
            }
        } finally {
            unlockGate();
        }
        if (claimed != null) {
            claimed.runClaimed();
        }
    }

    /** Under the gate: interrupts the thread, or claims its open cancel action (to run after the gate). */
    private CancelActionControl interruptOrClaim() {
        CancelActionControl a = action;
        if (a == null) {
            thread.interrupt();
            return null;
        }
        return a.claim() ? a : null;
    }

    /** Called by the {@link DeadlineTimer} when {@code entry}, armed for this thread, is due. */
    void deadlineDue(DeadlineTimer.Entry entry) {
        DeadlineStack d = deadlines; // not null: it armed the entry
        if (!d.disarm(entry)) {
            return; // replaced by an earlier one meanwhile
        }
        long deadline = d.published; // pairs with the owner: deadline published, then `armed` read
        if (deadline == Clocks.NO_DEADLINE || isDone()) {
            return;
        }
        if (System.nanoTime() - deadline < 0) {
            armIfEarlier(deadline); // fired for a scope already left; arm for the one in force
        } else if (blockedOn == null || wokenByInterrupt) {
            kernel.delivery.deadline(this);
        }
        // else parked in a thredo wait, which wakes at the deadline by itself; leaving it, the thread
        // finds the deadline passed and interrupts itself for the JDK calls that follow (exitWait)
    }

    /** Makes sure the {@link DeadlineTimer} fires no later than {@code deadline} for this thread. */
    private void armIfEarlier(long deadline) {
        deadlines.armIfEarlier(this, deadline);
    }

    private void lockGate() {
        for (int spins = 0;; spins++) {
            int g = gate;
            if ((g & GATE_LOCKED) == 0 && GATE.compareAndSet(this, g, g | GATE_LOCKED)) {
                return;
            }
            backOff(spins);
        }
    }

    private void unlockGate() {
        GATE.getAndBitwiseAnd(this, ~GATE_LOCKED);
    }

    /**
     * The owner's side of the gate, after it changed what deliveries decide on (its published
     * deadline, shield depth, phase or cancel action): returns once no delivery that may have decided
     * on the old values is still on its way. A delivery holds the gate only for its checks and one
     * {@code interrupt()}, so this waits briefly (a virtual thread's {@code interrupt()} can take until
     * a {@code FileChannel} read of that thread returns, and this thread is not in one now).
     */
    private void awaitDeliveries() {
        for (int spins = 0; (gate & GATE_LOCKED) != 0; spins++) {
            backOff(spins);
        }
    }

    private static void backOff(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * Owner, after its visible deadline became later: if a delivered deadline no longer applies, its
     * interrupt must not leak out of its scope, so the flag is cleared (and re-armed if a cancellation
     * is due).
     */
    private void retireDeliveredDeadline() {
        if (gate == 0) {
            return; // nothing delivered, nothing on its way: later deliveries see the new deadline
        }
        lockGate();
        try {
            long deadline = visibleDeadline();
            if ((gate & DEADLINE_DELIVERED) != 0
                    && (deadline == Clocks.NO_DEADLINE || System.nanoTime() - deadline < 0)) {
                gate = GATE_LOCKED;
                Thread.interrupted();
            }
        } finally {
            unlockGate();
        }
        if ((gate & DEADLINE_DELIVERED) == 0) {
            rearmCancel();
        }
    }

    /**
     * The exception the calling thread (the owner) must throw at a blocking point now, or
     * {@code null}: its cancellation unless shielded, else an expired visible deadline.
     */
    public ThreadCancelled pendingAbort() {
        int s = state;
        if ((s & CANCEL_REQUESTED) == 0 && Thread.currentThread().isInterrupted() && (gate & DEADLINE_DELIVERED) == 0) {
            noteInterrupt(); // an interrupt from outside; a delivered deadline's is no cancellation
            s = state;
        }
        if ((s & CANCEL_REQUESTED) != 0) {
            if (shieldDepth() == 0) {
                return new ThreadCancelled("thredo thread #" + id + " (" + name + ") was cancelled");
            }
        }
        DeadlineStack d = deadlines;
        if (d != null) {
            long deadline = d.effective();
            if (deadline != Clocks.NO_DEADLINE) {
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    return new ThreadTimeout("deadline passed in thredo thread #" + id + " (" + name + ")", now);
                }
            }
        }
        return null;
    }

    /**
     * A delivery point outside any wait ({@code checkCancellation}): throws {@link #pendingAbort()}
     * if there is one. The interrupt flag is kept set for what is pending (level-triggered), so JDK
     * calls fail too.
     */
    public void checkpoint() {
        ThreadCancelled abort = pendingAbort();
        if (abort != null) {
            rearmInterrupt();
            throw abort;
        }
    }

    /**
     * Level-triggered delivery to JDK calls, by the owner: re-sets the interrupt flag (or, with a cancel
     * action open, has the action run) if a cancellation is due and not held back by a shield, or a
     * visible deadline has passed.
     */
    void rearmInterrupt() {
        if (rearmCancel()) {
            return;
        }
        DeadlineStack d = deadlines;
        long deadline;
        if (d == null || (deadline = d.effective()) == Clocks.NO_DEADLINE) {
            return;
        }
        long now = System.nanoTime();
        if (now - deadline < 0 || (state & PHASE) != RUNNING) {
            return;
        }
        if ((gate & DEADLINE_DELIVERED) == 0) {
            lockGate();
            try {
                if ((gate & DEADLINE_DELIVERED) == 0) {
                    d.firedAt = now;
                    gate = GATE_LOCKED | DEADLINE_DELIVERED;
                }
            } finally {
                unlockGate();
            }
        }
        CancelActionControl a = action;
        if (a == null) {
            Thread.currentThread().interrupt();
        } else if (a.isOpen()) {
            kernel.delivery.deadline(this);
        }
    }

    /** The cancellation part of {@link #rearmInterrupt()}; {@code true} if a cancellation is due. */
    private boolean rearmCancel() {
        if ((state & CANCEL_REQUESTED) == 0 || shieldDepth() != 0) {
            return false;
        }
        CancelActionControl a = action;
        if (a == null) {
            Thread.currentThread().interrupt();
        } else if (a.isOpen()) {
            kernel.delivery.cancel(this);
        }
        return true;
    }

    void enterWait(String what) {
        blockedOn = what;
    }

    void exitWait() {
        blockedOn = null;
        rearmInterrupt();
    }

    /**
     * Marks the owner as blocked in a wait that only an interrupt ends (a {@code Selector.select},
     * an interruptible channel), for the registry and for {@link #requestCancel()}, which then
     * delivers an interrupt instead of an unpark. Pair with {@link #exitInterruptibleWait()}.
     */
    public void enterInterruptibleWait(String what) {
        wokenByInterrupt = true;
        blockedOn = what;
    }

    /** Ends an {@link #enterInterruptibleWait} wait. */
    public void exitInterruptibleWait() {
        blockedOn = null;
        wokenByInterrupt = false;
        rearmInterrupt();
    }

    // ---- cancel actions (owner only) ----

    /**
     * Opens a cancel action registration: until it is closed, a cancellation or an expired deadline
     * runs {@code a} (on a delivery thread, at most once) instead of interrupting this thread, and the
     * registry shows the thread blocked on {@code call} (if not {@code null}). A delivery point first:
     * a pending cancellation or expired deadline is thrown instead.
     *
     * @throws ThreadCancelled if one is pending; nothing is registered then
     */
    public CancelActionControl openCancelAction(String call, CancelActionControl.Action a) {
        checkpoint();
        CancelActionControl registration = new CancelActionControl(call, a, action);
        action = registration;
        awaitDeliveries(); // one that chose to interrupt before it saw the registration has now done so
        ThreadCancelled abort = pendingAbort();
        if (abort != null) {
            closeCancelAction(registration);
            throw abort;
        }
        return registration;
    }

    /**
     * Closes {@code registration} (the innermost open one): waits for its action if it is running,
     * and then lets what is pending reach the thread as usual (the interrupt flag, or the next outer
     * registration's action).
     *
     * @return whether the action ran
     */
    public boolean closeCancelAction(CancelActionControl registration) {
        if (action != registration) {
            throw new IllegalStateException("cancel actions must be closed innermost first, by the thread that opened them");
        }
        boolean ran = registration.close();
        action = registration.outer;
        rearmInterrupt();
        return ran;
    }

    // ---- shields and deadlines (owner only) ----

    /** Opens a shield: cancellation and enclosing deadlines are held back until the matching close. */
    public void enterShield() {
        DeadlineStack d = deadlines();
        d.pushShield();
        publishDeadline();
        d.shieldDepth++;
        awaitDeliveries(); // after this, no delivery interrupts us: they all see the shield
        absorbInterrupt(); // ours or an outsider's: held back as a cancellation, not left to hit JDK calls
        retireDeliveredDeadline();
    }

    /** Closes the innermost shield. */
    public void exitShield() {
        DeadlineStack d = deadlines;
        d.shieldDepth--;
        d.pop();
        long deadline = publishDeadline();
        if (deadline != Clocks.NO_DEADLINE) {
            armIfEarlier(deadline); // an enclosing deadline is visible again
        }
        rearmInterrupt();
    }

    /** Opens a timeout scope ending at {@code deadlineNanos}; returns its level. */
    public int enterTimeout(long deadlineNanos) {
        int level = deadlines().pushTimeout(deadlineNanos);
        if (publishDeadline() == deadlineNanos) {
            armIfEarlier(deadlineNanos); // pairs with deadlineDue(): deadline published, then `armed` read
        }
        return level;
    }

    /** Closes the innermost timeout scope; a delivered deadline that no longer applies leaves no interrupt behind. */
    public void exitTimeout() {
        deadlines.pop();
        publishDeadline();
        retireDeliveredDeadline();
    }

    /**
     * For a timeout observed at {@code observedAt} leaving the scope at {@code level}: whether it
     * belongs to this scope ({@code 0}), an enclosing one ({@code 1}) or none ({@code 2}).
     */
    public int timeoutVerdict(int level, long observedAt) {
        return deadlines.exitVerdict(level, observedAt);
    }

    /**
     * When an expired deadline was delivered to this thread's JDK calls (by interrupt or cancel
     * action) and still applies: the {@link System#nanoTime()} at which it was found expired; else
     * {@link Long#MIN_VALUE}. A failure leaving a scope then is that deadline's doing. Owner only.
     */
    public long deliveredDeadlineAt() {
        return (gate & DEADLINE_DELIVERED) != 0 ? deadlines.firedAt : Long.MIN_VALUE;
    }

    /** The earliest deadline in force, as a {@link System#nanoTime()} value, or {@link Clocks#NO_DEADLINE}. */
    public long visibleDeadline() {
        DeadlineStack d = deadlines;
        return d == null ? Clocks.NO_DEADLINE : d.effective();
    }

    private DeadlineStack deadlines() {
        DeadlineStack d = deadlines;
        if (d == null) {
            deadlines = d = new DeadlineStack();
        }
        return d;
    }

    /** Publishes the visible deadline to deliveries (a volatile write, ordered before the owner's next read). */
    private long publishDeadline() {
        DeadlineStack d = deadlines;
        long deadline = d.effective();
        d.published = deadline;
        return deadline;
    }

    // ---- termination ----

    /** Waits until the thread has ended. */
    public void awaitTermination(Parking.Mode mode) {
        if (isDone()) {
            return;
        }
        if (thread == Thread.currentThread()) {
            throw new IllegalStateException("thredo thread #" + id + " cannot wait for itself to end");
        }
        Parking.awaitCondition(this, terminationWaiters(), this::isDone, "join #" + id, mode, Clocks.NO_DEADLINE);
    }

    private synchronized WaitQueue<Void> terminationWaiters() {
        if (terminationWaiters == null) {
            terminationWaiters = new WaitQueue<>();
        }
        return terminationWaiters;
    }

    // ---- accessors ----

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    /**
     * Renames the thread (an adopted one, whose adopter learns what runs only after adopting it); the
     * registry lists the new name from now on.
     */
    public void rename(String newName) {
        this.name = java.util.Objects.requireNonNull(newName, "name");
    }

    public boolean isDaemon() {
        return daemon;
    }

    public long parentId() {
        return parentId;
    }

    public GroupLink group() {
        return group;
    }

    public Thread thread() {
        return thread;
    }

    public KernelCore kernel() {
        return kernel;
    }

    /**
     * The public view of this thread, created on first use by {@code create}; every caller gets the
     * same one.
     */
    public ThredoThread<?> facade(Function<ThreadControl, ThredoThread<?>> create) {
        ThredoThread<?> f = (ThredoThread<?>) FACADE.getAcquire(this);
        if (f == null) {
            ThredoThread<?> fresh = create.apply(this);
            f = (ThredoThread<?>) FACADE.compareAndExchangeRelease(this, null, fresh);
            if (f == null) {
                f = fresh;
            }
        }
        return f;
    }

    /** The innermost group opened by this thread and not yet closed, as last recorded (owner only). */
    public ThredoGroup innermostGroup() {
        GroupLink link = ownedGroup;
        return link == null ? null : link.group();
    }

    /**
     * Records the innermost open group this thread owns, or {@code null}: for the owner, and for the
     * registry, which shows it for a thread that is no group's member (a request thread and its
     * request group).
     */
    public void setInnermostGroup(GroupLink link) {
        this.ownedGroup = link;
    }

    /** The innermost open group this thread owns, as last recorded, or {@code null}. */
    public GroupLink ownedGroup() {
        return ownedGroup;
    }

    public boolean isDone() {
        int phase = state & PHASE;
        return phase != RUNNING && phase != COMPLETING;
    }

    public boolean isCancelRequested() {
        return (state & CANCEL_REQUESTED) != 0;
    }

    public Outcome outcome() {
        return phaseOutcome(state);
    }

    private static Outcome phaseOutcome(int state) {
        return switch (state & PHASE) {
            case SUCCEEDED -> Outcome.SUCCEEDED;
            case FAILED -> Outcome.FAILED;
            case CANCELLED -> Outcome.CANCELLED;
            default -> Outcome.RUNNING;
        };
    }

    /** The value of a thread that ended normally (read after observing {@link #isDone()}), else {@code null}. */
    public Object result() {
        return (state & PHASE) == SUCCEEDED ? taskOrOutcome : null;
    }

    /** What a thread that ended by throwing threw (read after observing {@link #isDone()}), else {@code null}. */
    public Throwable exception() {
        int phase = state & PHASE;
        return phase == FAILED || phase == CANCELLED ? (Throwable) taskOrOutcome : null;
    }

    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** Wall-clock millis of the cancellation request, or 0. */
    public long cancelRequestedAtMillis() {
        if (!isCancelRequested()) {
            return 0;
        }
        CancelRequest r = cancelRequest;
        return r == null ? 1 : Math.max(r.epochMillis(), 1);
    }

    /** Nanos since the cancellation request, or -1 if none. */
    public long nanosSinceCancelRequest() {
        if (!isCancelRequested()) {
            return -1;
        }
        CancelRequest r = cancelRequest;
        return r == null ? 0 : System.nanoTime() - r.nanos();
    }

    /** What the thread is blocked on in a thredo wait, or {@code null}. */
    public String blockedOn() {
        return blockedOn;
    }

    /** The call of the innermost open cancel action registration, as it was named, or {@code null}. */
    public String callInProgress() {
        CancelActionControl a = action;
        return a == null ? null : a.call;
    }

    /** The effective deadline last published by the owner, for other threads to read. */
    public long publishedDeadline() {
        DeadlineStack d = deadlines;
        return d == null ? Clocks.NO_DEADLINE : d.published;
    }

    /** Open shields; written by the owner, read by deliveries under the gate. */
    private int shieldDepth() {
        DeadlineStack d = deadlines;
        return d == null ? 0 : d.shieldDepth;
    }
}
