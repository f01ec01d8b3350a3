package dev.thredo.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The machinery of one kernel: thread creation, ids, the {@link Registry}, {@link Counters},
 * interrupt delivery, and the count of threads not yet fully ended that close waits on. The public
 * {@code Kernel} is its front.
 *
 * <p>Spawning takes no global lock: an id from an atomic counter, a registry insert into its own
 * bin, a striped counter increment, and the thread start.
 */
public final class KernelCore {
    private final String name;
    private final boolean virtualThreads;
    private final long stuckThresholdNanos;
    private final ThreadFactory factory;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong groupIds = new AtomicLong();
    final Registry registry;
    final Counters counters = new Counters();
    final CancelDelivery delivery = new CancelDelivery();

    /** Threads spawned or adopted and not yet fully ended (past their group and joiner notifications). */
    private final AtomicLong unfinished = new AtomicLong();
    private final WaitQueue<Void> allEndedWaiters = new WaitQueue<>();
    private volatile boolean closed;

    /** What the public layer wants to hear of threads starting and ending; see {@code KernelListener}. */
    public interface Events {
        void started(ThreadControl t);

        void ended(ThreadControl t, dev.thredo.Outcome outcome, long cancelLatencyNanos);
    }

    private static final Events NO_EVENTS = new Events() {
        @Override
        public void started(ThreadControl t) {
        }

        @Override
        public void ended(ThreadControl t, dev.thredo.Outcome outcome, long cancelLatencyNanos) {
        }
    };

    private volatile Events events = NO_EVENTS;

    private volatile java.util.function.UnaryOperator<Callable<?>> taskDecorator;

    /** Installs the decorator applied, on the spawning thread, to every spawned task (once, before threads run). */
    public void setTaskDecorator(java.util.function.UnaryOperator<Callable<?>> decorator) {
        this.taskDecorator = decorator;
    }

    /** Installs the receiver of thread start and end events (once, before threads run). */
    public void setEvents(Events events) {
        this.events = events;
    }

    Events events() {
        return events;
    }

    public KernelCore(String name, boolean virtualThreads, long stuckThresholdNanos) {
        this.name = name;
        this.virtualThreads = virtualThreads;
        this.stuckThresholdNanos = stuckThresholdNanos;
        this.registry = new Registry(stuckThresholdNanos);
        // A builder is not thread-safe; its factory is.
        this.factory = (virtualThreads
                ? Thread.ofVirtual().inheritInheritableThreadLocals(false)
                : Thread.ofPlatform().daemon(true).inheritInheritableThreadLocals(false)).factory();
        LiveKernels.add(this); // last: publish only a fully built kernel
    }

    /**
     * Creates, registers and starts a thread running {@code task}: {@link #create} then {@link #start}.
     *
     * @param name the thread's name, or {@code null} for {@code "thredo-<id>"}
     * @param parent the spawning thread, or {@code null}
     * @throws IllegalStateException if the kernel is closed
     */
    public ThreadControl spawn(String name, Callable<?> task, boolean daemon, ThreadControl parent, GroupLink group) {
        return start(create(name, task, daemon, parent, group));
    }

    /** As {@link #spawn(String, Callable, boolean, ThreadControl, GroupLink)}, for a task with no result. */
    public ThreadControl spawn(String name, Runnable task, boolean daemon, ThreadControl parent, GroupLink group) {
        return start(create(name, task, daemon, parent, group));
    }

    /**
     * Creates a thread running {@code task}, decorated by the task decorator (run here, on the calling
     * thread), neither registered nor started: nothing counts it until {@link #start}, which must
     * follow (or the control be dropped). A caller that must count a thread before it can end (a
     * group) does so between the two, and runs neither under its own lock.
     *
     * @param name the thread's name, or {@code null} for {@code "thredo-<id>"}
     * @param parent the spawning thread, or {@code null}
     */
    public ThreadControl create(String name, Callable<?> task, boolean daemon, ThreadControl parent, GroupLink group) {
        UnaryOperator<Callable<?>> decorator = taskDecorator;
        return create(name, decorator != null ? decorator.apply(task) : task, null, daemon, parent, group);
    }

    /**
     * As {@link #create(String, Callable, boolean, ThreadControl, GroupLink)}, for a task with no
     * result; run as a {@code Runnable} even if it also is a {@code Callable}.
     */
    public ThreadControl create(String name, Runnable task, boolean daemon, ThreadControl parent, GroupLink group) {
        UnaryOperator<Callable<?>> decorator = taskDecorator;
        return decorator != null
                ? create(name, decorator.apply(Executors.callable(task, null)), null, daemon, parent, group)
                : create(name, null, task, daemon, parent, group);
    }

    /** Creates a thread running exactly one of {@code callable} and {@code runnable}, undecorated. */
    private ThreadControl create(String name, Callable<?> callable, Runnable runnable, boolean daemon,
            ThreadControl parent, GroupLink group) {
        long id = ids.incrementAndGet();
        String threadName = name != null ? name : "thredo-" + id;
        ThreadControl t = new ThreadControl(this, id, threadName, daemon, parent == null ? 0 : parent.id(), group,
                callable, runnable);
        Thread thread = factory.newThread(t);
        thread.setName(threadName);
        t.bindThread(thread);
        return t;
    }

    /**
     * Registers and starts a thread from {@link #create}; the listeners hear of its start here, on
     * the calling thread. If this throws, the thread never ran and its group (if any) never hears of it.
     *
     * @return {@code t}
     * @throws IllegalStateException if the kernel is closed
     */
    public ThreadControl start(ThreadControl t) {
        register(t);
        counters.countSpawned();
        events.started(t); // before the start, so that a listener hears of the start before the end
        try {
            t.thread().start();
        } catch (Throwable e) { // out of memory or threads: it never ran
            registry.remove(t);
            counters.countEnded(dev.thredo.Outcome.FAILED);
            events.ended(t, dev.thredo.Outcome.FAILED, -1);
            threadEnded();
            throw e;
        }
        return t;
    }

    /**
     * Makes the calling thread a thredo thread of this kernel until {@link ThreadControl#end} is
     * called for the returned control (by the same thread). The thread becomes current only once its
     * registration is accepted: a refused adoption leaves it as it was (not a thredo thread, its
     * interrupt flag as it was).
     *
     * @throws IllegalStateException if the calling thread already is a thredo thread, or the kernel is closed
     */
    public ThreadControl adopt(String name) {
        if (ThreadControl.current() != null) {
            throw new IllegalStateException("the calling thread is already a thredo thread");
        }
        long id = ids.incrementAndGet();
        ThreadControl t = new ThreadControl(this, id, name, false, 0, null, null, null);
        Thread self = Thread.currentThread();
        t.bindThread(self);
        boolean wasInterrupted = self.isInterrupted();
        try {
            register(t);
        } catch (IllegalStateException refused) {
            t.refuseAdoption(wasInterrupted); // a close that saw it registered may have cancelled it
            throw refused;
        }
        t.attachCurrent();
        counters.countSpawned();
        events.started(t);
        return t;
    }

    /**
     * Ends an adopted thread's membership, normally or with {@code failure} (may be {@code null});
     * called by that thread. Leaves its interrupt flag clear.
     */
    public void release(ThreadControl adopted, Throwable failure) {
        if (adopted.thread() != Thread.currentThread()) {
            throw new IllegalStateException("an adoption must be closed by the adopted thread");
        }
        adopted.end(null, failure);
        adopted.detachCurrent();
        adopted.clearOwnInterrupt(); // a pooled thread must not go back to its pool interrupted
    }

    private void register(ThreadControl t) {
        unfinished.incrementAndGet();
        registry.add(t);
        if (closed) { // pairs with close(): registry insert, then read closed; close writes closed, then scans
            registry.remove(t);
            threadEnded();
            throw new IllegalStateException("kernel " + name + " is closed");
        }
    }

    void threadEnded() {
        if (unfinished.decrementAndGet() == 0) {
            synchronized (allEndedWaiters) {
                allEndedWaiters.signalAll();
            }
        }
    }

    /** A new group id. */
    public long nextGroupId() {
        return groupIds.incrementAndGet();
    }

    /**
     * Marks the kernel closed (no more spawns) and requests cancellation of every live thread, oldest
     * first: a parent is cancelled before the threads it spawned, so a group's owner learns of the close
     * as its own cancellation rather than as its members ending under it (its join would then return
     * normally and it could end SUCCEEDED).
     */
    public void shutdown() {
        closed = true;
        List<ThreadControl> live = new ArrayList<>(registry.all());
        live.sort(Comparator.comparingLong(ThreadControl::id));
        for (ThreadControl t : live) {
            t.requestCancel();
        }
    }

    /**
     * Waits, holding back the caller's own cancellation, until every thread has ended or
     * {@code limitNanos} (a {@link System#nanoTime()} value, or {@link Clocks#NO_DEADLINE}) passes.
     *
     * @return whether every thread has ended
     */
    public boolean awaitAllEnded(long limitNanos) {
        return Parking.awaitCondition(allEndedWaiters, allEndedWaiters, () -> unfinished.get() == 0,
                "Kernel.close", Parking.Mode.HOLD, limitNanos);
    }

    /** The threads still alive, for reporting what would not stop. */
    public List<ThreadControl> survivors() {
        return new ArrayList<>(registry.all());
    }

    public boolean isClosed() {
        return closed;
    }

    public String name() {
        return name;
    }

    public boolean virtualThreads() {
        return virtualThreads;
    }

    public long stuckThresholdNanos() {
        return stuckThresholdNanos;
    }

    public Registry registry() {
        return registry;
    }

    public Counters counters() {
        return counters;
    }

    /** Threads not yet fully ended. */
    public long unfinished() {
        return unfinished.get();
    }
}
