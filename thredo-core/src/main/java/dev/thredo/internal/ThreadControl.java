package dev.thredo.internal;

import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

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
 * unparked; otherwise the interrupt is delivered from another thread ({@link InterruptDelivery}),
 * because {@code Thread.interrupt()} of a virtual thread in {@code FileChannel.read} blocks the
 * interrupter. The two sides meet Dekker-style on the volatile {@code state} and {@code blockedOn}:
 * the canceller writes the state then reads {@code blockedOn}; the thread clears {@code blockedOn}
 * then reads the state ({@link #exitWait()}), so one of them always sees the other.
 *
 * <h2>Shields</h2>
 * {@code shieldDepth} is written by the owner and read by the interrupt deliverer, both under this
 * object's monitor, so an interrupt is never delivered once the thread has entered a shield (a
 * JDK call inside the shield must not be hit by a held-back cancel). Entering a shield clears the
 * interrupt flag; leaving the last one re-arms it if a cancellation is pending.
 *
 * <h2>Memory effects</h2>
 * The result and exception are written before the state CAS that publishes the outcome, so a
 * thread that sees a final phase sees them.
 */
public final class ThreadControl implements Runnable {
    /**
     * The control block of every thread that is a thredo thread now, by its JDK thread: what
     * {@link #current()} reads. A map, not a {@code ThreadLocal}: a thread's first thread-local
     * creates its {@code ThreadLocalMap} (map, 16-slot table, entry: about 136 B, kept while it
     * lives), where a map entry costs about 40 B, which matters for a million blocked threads.
     */
    private static final ConcurrentHashMap<Thread, ThreadControl> CURRENT = new ConcurrentHashMap<>();

    static final int RUNNING = 0;
    static final int SUCCEEDED = 1;
    static final int FAILED = 2;
    static final int CANCELLED = 3;
    static final int COMPLETING = 4;
    static final int PHASE = 7;
    static final int CANCEL_REQUESTED = 8;

    private static final VarHandle STATE;
    private static final VarHandle DEADLINE;
    private static final VarHandle FACADE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(ThreadControl.class, "state", int.class);
            DEADLINE = l.findVarHandle(ThreadControl.class, "publishedDeadline", long.class);
            FACADE = l.findVarHandle(ThreadControl.class, "facade", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final String name;
    private final boolean daemon;
    private final long parentId;
    private final GroupLink group;
    private final KernelCore kernel;
    private final long startedAtMillis;
    private Thread thread;
    /**
     * A {@code Callable}, or a {@code Runnable} that is not one, run for a {@code null} result (see
     * {@link #task(Runnable)}): a {@code Runnable} needs no adapter object, which the thread would
     * keep for as long as it lives.
     */
    private Object task;
    private Object facade;

    private volatile int state;
    private Object result;
    private Throwable exception;
    private volatile long cancelRequestedAtMillis;
    private volatile long cancelRequestedNanos;
    private volatile String blockedOn;
    private volatile boolean wokenByInterrupt;
    @SuppressWarnings("unused") // written by the owner, read by the registry through DEADLINE
    private long publishedDeadline = DeadlineStack.NONE;

    // Owner-only state.
    private DeadlineStack deadlines;
    private Object innermostGroup;
    private volatile GroupLink ownedGroup; // written by the owner, read by the registry
    // The Registry's links; guarded by the registry stripe of this id.
    ThreadControl registryPrev;
    ThreadControl registryNext;
    boolean registered;
    // Guarded by this.
    private int shieldDepth;
    private WaitQueue terminationWaiters;

    ThreadControl(KernelCore kernel, long id, String name, boolean daemon, long parentId,
            GroupLink group, Object task) {
        this.kernel = kernel;
        this.id = id;
        this.name = name;
        this.daemon = daemon;
        this.parentId = parentId;
        this.group = group;
        this.task = task;
        this.startedAtMillis = System.currentTimeMillis();
    }

    /**
     * {@code r} as a task for {@link KernelCore#spawn}: itself, unless it also is a {@code Callable}
     * (which the thread would call instead of running it), then wrapped.
     */
    public static Object task(Runnable r) {
        return r instanceof Callable<?> ? Executors.callable(r, null) : r;
    }

    /** The control block of the calling thread, or {@code null} if it is not a thredo thread. */
    public static ThreadControl current() {
        return CURRENT.get(Thread.currentThread());
    }

    void bindThread(Thread t) {
        this.thread = t;
    }

    /** Attaches the calling (foreign) thread; see {@link KernelCore#adopt}. */
    void attachCurrent() {
        this.thread = Thread.currentThread();
        CURRENT.put(thread, this);
    }

    static void detachCurrent() {
        CURRENT.remove(Thread.currentThread());
    }

    @Override
    public void run() {
        CURRENT.put(thread, this);
        try {
            Object value = null;
            Throwable failure = null;
            try {
                if (task instanceof Callable<?> c) {
                    value = c.call();
                } else {
                    ((Runnable) task).run();
                }
            } catch (Throwable t) {
                failure = t;
            }
            task = null;
            end(value, failure);
        } finally {
            CURRENT.remove(thread); // a ThreadLocal died with its thread; an entry here would not
        }
    }

    /**
     * Ends the thread: leaves the registry, counts and publishes the outcome (through its group, if
     * it has one), wakes joiners, and only then lets the kernel count it as ended. Called once, by
     * the thread itself.
     */
    void end(Object value, Throwable failure) {
        kernel.registry.remove(this);
        if (failure == null) {
            result = value;
        } else {
            exception = failure;
        }
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
            kernel.delivery.deliver(this);
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
     * pending interrupt as a cancellation request; {@link #exitWait()} or the shield's exit re-arms
     * it when it may be delivered.
     *
     * @return whether the flag was set
     */
    public boolean absorbInterrupt() {
        if (Thread.interrupted()) {
            noteInterrupt();
            return true;
        }
        return false;
    }

    private void stampCancelRequest() {
        cancelRequestedNanos = System.nanoTime();
        cancelRequestedAtMillis = System.currentTimeMillis();
    }

    /** Called on a delivery thread: interrupts the thread unless it has ended or is shielded. */
    void deliverInterrupt() {
        synchronized (this) {
            if ((state & PHASE) == RUNNING && shieldDepth == 0) {
                thread.interrupt();
            }
        }
    }

    /**
     * The exception the calling thread (the owner) must throw at a blocking point now, or
     * {@code null}: its cancellation unless shielded, else an expired visible deadline.
     */
    public ThreadCancelled pendingAbort() {
        int s = state;
        if ((s & CANCEL_REQUESTED) == 0 && Thread.currentThread().isInterrupted()) {
            noteInterrupt();
            s = state;
        }
        if ((s & CANCEL_REQUESTED) != 0) {
            if (shieldDepth == 0) {
                return new ThreadCancelled("thredo thread #" + id + " (" + name + ") was cancelled");
            }
        }
        DeadlineStack d = deadlines;
        if (d != null) {
            long deadline = d.effective();
            if (deadline != DeadlineStack.NONE) {
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
     * if there is one. A cancellation also keeps the interrupt flag set, so JDK calls fail too; a
     * timeout does not touch it (a timeout is not a cancellation of the thread).
     */
    public void checkpoint() {
        ThreadCancelled abort = pendingAbort();
        if (abort != null) {
            rearmInterrupt();
            throw abort;
        }
    }

    /** Re-sets the interrupt flag if a cancellation is pending and not held back by a shield. */
    void rearmInterrupt() {
        if ((state & CANCEL_REQUESTED) != 0 && shieldDepth == 0) {
            Thread.currentThread().interrupt();
        }
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

    // ---- shields and deadlines (owner only) ----

    /** Opens a shield: cancellation and enclosing deadlines are held back until the matching close. */
    public void enterShield() {
        deadlines().pushShield();
        publishDeadline();
        synchronized (this) {
            shieldDepth++;
        }
        absorbInterrupt(); // ours or an outsider's: held back as a cancellation, not left to hit JDK calls
    }

    /** Closes the innermost shield. */
    public void exitShield() {
        synchronized (this) {
            shieldDepth--;
        }
        deadlines.pop();
        publishDeadline();
        rearmInterrupt();
    }

    /** Opens a timeout scope ending at {@code deadlineNanos}; returns its level. */
    public int enterTimeout(long deadlineNanos) {
        int level = deadlines().pushTimeout(deadlineNanos);
        publishDeadline();
        return level;
    }

    /** Closes the innermost timeout scope. */
    public void exitTimeout() {
        deadlines.pop();
        publishDeadline();
    }

    /**
     * For a timeout observed at {@code observedAt} leaving the scope at {@code level}: whether it
     * belongs to this scope ({@code 0}), an enclosing one ({@code 1}) or none ({@code 2}).
     */
    public int timeoutVerdict(int level, long observedAt) {
        return deadlines.exitVerdict(level, observedAt);
    }

    /** The earliest deadline in force, as a {@link System#nanoTime()} value, or {@code Long.MAX_VALUE}. */
    public long visibleDeadline() {
        DeadlineStack d = deadlines;
        return d == null ? DeadlineStack.NONE : d.effective();
    }

    private DeadlineStack deadlines() {
        DeadlineStack d = deadlines;
        if (d == null) {
            deadlines = d = new DeadlineStack();
        }
        return d;
    }

    private void publishDeadline() {
        DEADLINE.setRelease(this, deadlines.effective());
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
        Parking.awaitCondition(this, terminationWaiters(), this::isDone, "join #" + id, mode, Parking.NO_LIMIT);
    }

    private synchronized WaitQueue terminationWaiters() {
        if (terminationWaiters == null) {
            terminationWaiters = new WaitQueue();
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
    public Object facade(java.util.function.Function<ThreadControl, Object> create) {
        Object f = FACADE.getAcquire(this);
        if (f == null) {
            Object fresh = create.apply(this);
            f = FACADE.compareAndExchangeRelease(this, null, fresh);
            if (f == null) {
                f = fresh;
            }
        }
        return f;
    }

    /** The innermost group opened by this thread and not yet closed (owner only). */
    public Object innermostGroup() {
        return innermostGroup;
    }

    /**
     * Records the innermost open group this thread owns: the group object itself (for the owner) and
     * its link (for the registry, which shows it for a thread that is no group's member, such as a
     * request thread and its request group).
     */
    public void setInnermostGroup(Object group, GroupLink link) {
        this.innermostGroup = group;
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

    /** The value of a thread that ended normally (read after observing {@link #isDone()}). */
    public Object result() {
        return result;
    }

    /** What a thread that ended by throwing threw (read after observing {@link #isDone()}). */
    public Throwable exception() {
        return exception;
    }

    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** Wall-clock millis of the cancellation request, or 0. */
    public long cancelRequestedAtMillis() {
        return isCancelRequested() ? Math.max(cancelRequestedAtMillis, 1) : 0;
    }

    /** Nanos since the cancellation request, or -1 if none. */
    public long nanosSinceCancelRequest() {
        if (!isCancelRequested()) {
            return -1;
        }
        long at = cancelRequestedNanos;
        return at == 0 ? 0 : System.nanoTime() - at;
    }

    /** What the thread is blocked on in a thredo wait, or {@code null}. */
    public String blockedOn() {
        return blockedOn;
    }

    /** The effective deadline last published by the owner, for other threads to read. */
    public long publishedDeadline() {
        return (long) DEADLINE.getAcquire(this);
    }
}
