package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.KernelCore;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Registry;
import dev.thredo.internal.ThreadControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns thredo threads: spawns them, lists them, cancels them, and ends them all on {@link #close()}.
 *
 * <p>Every method may be called from any thread. The {@code spawn} methods start <em>root</em>
 * threads (no parent, no group); inside a thredo thread, {@link Thredo#spawn} and
 * {@link ThredoGroup} are the usual way to start more.
 *
 * <h2>Registry</h2>
 * {@link #threads(ThreadQuery)} lists live threads with their state and what they are blocked on,
 * without stopping them or walking their stacks ({@link ThreadQuery#withParent} lists one thread's
 * children); {@link #find(long)} looks one thread up by id the same way, and {@link #thread(long)}
 * adds that thread's stack.
 * Spawning, ending and listing take no global lock, and listing stays cheap with 100 000 live
 * threads. A thread that was asked to cancel and is still running after the stuck threshold is
 * reported as {@linkplain ThreadInfo#stuck() stuck}.
 *
 * <h2>Closing</h2>
 * {@link #close()} refuses further spawns, requests cancellation of every live thread (without
 * blocking on interrupt delivery), and waits up to the shutdown grace period for all of them to
 * end; threads still alive then are logged by name and left running.
 */
public final class Kernel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Kernel.class);

    private final KernelCore core;
    private final Duration gracePeriod;
    /** Set by the first close: only that one cancels and waits. */
    private final AtomicBoolean closing = new AtomicBoolean();

    private Kernel(Builder b) {
        this.core = new KernelCore(b.name, b.virtual, b.stuckThreshold.toNanos());
        this.gracePeriod = b.gracePeriod;
        if (!b.listeners.isEmpty()) {
            core.setEvents(new ListenerEvents(List.copyOf(b.listeners)));
        }
        if (!b.decorators.isEmpty()) {
            List<TaskDecorator> decorators = List.copyOf(b.decorators);
            core.setTaskDecorator(task -> {
                Callable<?> decorated = task;
                for (TaskDecorator d : decorators) {
                    decorated = Objects.requireNonNull(d.decorate(decorated), "TaskDecorator returned null");
                }
                return decorated;
            });
        }
    }

    /**
     * A kernel with the defaults of {@link Builder}: named {@code "thredo"}, on virtual threads.
     *
     * @return a new, open kernel; the caller owns it and must {@linkplain #close() close} it
     */
    public static Kernel create() {
        return builder().build();
    }

    /** {@return a new builder, with the defaults listed on {@link Builder}} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the kernel's name, as given to {@link Builder#name(String)}; for logs and listings} */
    public String name() {
        return core.name();
    }

    /**
     * Runs {@code main} as a root thread named {@code "main"} and waits for it.
     *
     * <p>If the caller is cancelled (or, outside thredo, interrupted) while waiting, {@code main} is
     * cancelled and waited for, and the caller's cancellation propagates. Other threads of the
     * kernel are left alone.
     *
     * @param <T> the type of main's value
     * @param main the body of the root thread {@code "main"}; not {@code null}
     * @return main's value
     * @throws Exception whatever main threw, unwrapped
     * @throws ThreadCancelled if the caller is cancelled or times out (outside thredo: is
     *     interrupted) while waiting, once main has ended
     * @throws IllegalStateException if the kernel is closed
     */
    public <T> T run(Callable<T> main) throws Exception {
        ThreadControl t = spawnRoot("main", main);
        try {
            t.awaitTermination(Parking.Mode.CANCELLABLE);
        } catch (ThreadCancelled c) {
            t.requestCancel();
            t.awaitTermination(Parking.Mode.HOLD);
            throw c;
        }
        if (t.outcome() == Outcome.SUCCEEDED) {
            @SuppressWarnings("unchecked")
            T value = (T) t.result();
            return value;
        }
        throw Exceptions.<Exception>rethrow(t.exception());
    }

    /**
     * Starts a root thread named {@code "thredo-<id>"} running {@code task}, and returns without
     * waiting for it to run.
     *
     * <p>Like {@link #spawn(String, Callable)}: a root thread (no parent, no group), startable from
     * any thread.
     *
     * @param <T> the type of the task's value
     * @param task what the thread runs; its value is what {@link ThredoThread#join()} returns
     * @return the started thread
     * @throws IllegalStateException if the kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public <T> ThredoThread<T> spawn(Callable<T> task) {
        return ThredoThread.of(spawnRoot(null, task));
    }

    /**
     * Starts a root thread named {@code "thredo-<id>"} running {@code task}, and returns without
     * waiting for it to run.
     *
     * <p>Like {@link #spawn(String, Callable)}: a root thread (no parent, no group), startable from
     * any thread.
     *
     * @param task what the thread runs
     * @return the started thread, whose {@link ThredoThread#join()} returns {@code null}
     * @throws IllegalStateException if the kernel is closed
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public ThredoThread<Void> spawn(Runnable task) {
        return ThredoThread.of(spawnRoot(null, task));
    }

    /**
     * Starts a root thread named {@code name} running {@code task}, and returns without waiting for
     * it to run.
     *
     * <p>The new thread has no parent and no group: it runs until it ends, is cancelled, or the
     * kernel closes. Any thread may call this, thredo thread or not.
     *
     * @param <T> the type of the task's value
     * @param name the thread's name, shown in listings and thread dumps; need not be unique (the id is)
     * @param task what the thread runs; its value is what {@link ThredoThread#join()} returns
     * @return the started thread
     * @throws IllegalStateException if the kernel is closed
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public <T> ThredoThread<T> spawn(String name, Callable<T> task) {
        return ThredoThread.of(spawnRoot(Objects.requireNonNull(name, "name"), task));
    }

    /**
     * Starts a root thread named {@code name} running {@code task}, and returns without waiting for
     * it to run.
     *
     * <p>Like {@link #spawn(String, Callable)}: a root thread (no parent, no group), startable from
     * any thread.
     *
     * @param name the thread's name, shown in listings and thread dumps; need not be unique (the id is)
     * @param task what the thread runs
     * @return the started thread, whose {@link ThredoThread#join()} returns {@code null}
     * @throws IllegalStateException if the kernel is closed
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public ThredoThread<Void> spawn(String name, Runnable task) {
        return ThredoThread.of(spawnRoot(Objects.requireNonNull(name, "name"), task));
    }

    private ThreadControl spawnRoot(String name, Callable<?> task) {
        return core.spawn(name, Objects.requireNonNull(task, "task"), false, null, null);
    }

    private ThreadControl spawnRoot(String name, Runnable task) {
        return core.spawn(name, Objects.requireNonNull(task, "task"), false, null, null);
    }

    /**
     * Makes the calling thread a thredo thread of this kernel, named {@code name}, until the returned
     * adoption is closed (by the same thread). For threads the application does not create itself,
     * such as a servlet container's request threads.
     *
     * @param name the name the registry shows for the thread while adopted (its JDK name is left
     *     alone); name the work, never data it carries
     * @return the adoption; close it on the same thread, in a {@code finally} or try-with-resources,
     *     so that a pooled thread leaves the kernel before it goes back to its pool
     * @throws IllegalStateException if the calling thread already is a thredo thread, or the kernel
     *     is closed; the calling thread is then left as it was
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public Adoption adopt(String name) {
        ThreadControl t = core.adopt(Objects.requireNonNull(name, "name"));
        return new Adoption(core, t);
    }

    /**
     * {@return every live thread, the lowest ids first; a new list} As
     * {@link #threads(ThreadQuery)} with no filter and no limit: O(live threads), no stacks.
     */
    public List<ThreadInfo> threads() {
        return threads(ThreadQuery.all().withLimit(Integer.MAX_VALUE));
    }

    /**
     * The live threads that match {@code query}, the lowest ids first, at most {@code query.limit()}
     * of them. Does not walk stacks; O(live threads).
     *
     * @param query the filter and limit, e.g. {@code ThreadQuery.all().withState(State.BLOCKED)}
     * @return snapshots of the matching threads, without stacks; a new list. Threads spawned or ended
     *     during the call may or may not be in it.
     */
    public List<ThreadInfo> threads(ThreadQuery query) {
        Registry registry = core.registry();
        Predicate<ThreadControl> filter = t -> true;
        if (query.nameContains() != null) {
            String text = query.nameContains();
            filter = filter.and(t -> t.name().contains(text));
        }
        if (query.stuckOnly()) {
            filter = filter.and(registry::isStuck);
        }
        if (query.parentId() != null) {
            long parent = query.parentId();
            filter = filter.and(t -> t.parentId() == parent);
        }
        if (query.state() != null) {
            ThreadInfo.State state = query.state();
            filter = filter.and(t -> registry.state(t) == state);
        }
        List<ThreadInfo> out = new ArrayList<>();
        for (ThreadControl t : registry.select(filter, query.limit())) {
            out.add(registry.info(t, false));
        }
        return out;
    }

    /**
     * The live thread with this id, with its stack; empty if unknown or ended. Walks that one
     * thread's stack; {@link #find(long)} does not.
     *
     * @param id a thread id of this kernel
     * @return its snapshot with {@link ThreadInfo#stack()} filled; empty if no live thread has this id
     *     (never spawned here, or already ended)
     */
    public Optional<ThreadInfo> thread(long id) {
        return snapshot(id, true);
    }

    /**
     * The live thread with this id as listings show it: no stack, and for a JDK blocking call
     * {@code "JDK WAITING"}-style instead of the JDK method; empty if unknown or ended. Does not stop
     * the thread or walk its stack, and does not look at other threads: for a caller that needs a
     * thread's state, group or deadline by id (a cancel answering with the thread).
     *
     * @param id a thread id of this kernel
     * @return its snapshot without a stack; empty if no live thread has this id
     */
    public Optional<ThreadInfo> find(long id) {
        return snapshot(id, false);
    }

    private Optional<ThreadInfo> snapshot(long id, boolean withStack) {
        ThreadControl t = core.registry().get(id);
        return t == null ? Optional.empty() : Optional.of(core.registry().info(t, withStack));
    }

    /**
     * Requests cancellation of the live thread with this id, without blocking; as
     * {@link ThredoThread#requestCancel()}.
     *
     * @param id a thread id of this kernel
     * @return {@code false} if no such thread is alive
     */
    public boolean cancel(long id) {
        ThreadControl t = core.registry().get(id);
        return t != null && t.requestCancel();
    }

    /**
     * {@return the kernel's counters now} One pass over the registry for the live counts; the totals
     * are read at about the same moment, not atomically with them.
     */
    public KernelStats stats() {
        Registry registry = core.registry();
        long live = 0, running = 0, blocked = 0, cancelling = 0, stuck = 0;
        for (ThreadControl t : registry.all()) {
            live++;
            switch (registry.state(t)) {
                case RUNNING -> running++;
                case BLOCKED -> blocked++;
                case CANCELLING -> {
                    cancelling++;
                    if (registry.isStuck(t)) {
                        stuck++;
                    }
                }
            }
        }
        var c = core.counters();
        return new KernelStats(live, running, blocked, cancelling, stuck,
                c.spawned(), c.succeeded(), c.failed(), c.cancelled(), c.liveGroups());
    }

    /**
     * Threads ever spawned or adopted: the kernel's own counter, read directly (no registry pass).
     * Monotonic: a call that starts after another has returned never returns less. For metrics
     * counters; {@link #stats()} has the same total with the live counts.
     *
     * @return how many threads this kernel has spawned or adopted so far
     */
    public long spawnedCount() {
        return core.counters().spawned();
    }

    /**
     * Threads ended with {@code outcome}, read directly as {@link #spawnedCount()} is, and monotonic
     * in the same way.
     *
     * @param outcome {@link Outcome#SUCCEEDED}, {@link Outcome#FAILED} or {@link Outcome#CANCELLED}
     * @return how many threads of this kernel have ended with {@code outcome} so far
     * @throws NullPointerException if {@code outcome} is {@code null}
     * @throws IllegalArgumentException for {@link Outcome#RUNNING}, which is no end
     */
    public long endedCount(Outcome outcome) {
        var c = core.counters();
        return switch (Objects.requireNonNull(outcome, "outcome")) {
            case SUCCEEDED -> c.succeeded();
            case FAILED -> c.failed();
            case CANCELLED -> c.cancelled();
            case RUNNING -> throw new IllegalArgumentException("not an end: " + outcome);
        };
    }

    /** {@return whether {@link #close()} has begun: no more threads can be spawned or adopted} */
    public boolean isClosed() {
        return core.isClosed();
    }

    /**
     * Refuses further spawns, requests cancellation of every live thread, and waits up to the
     * shutdown grace period for all of them to end; what did not end is logged by name, in one line.
     * The wait holds back the caller's own cancellation. Idempotent: only the first call cancels and
     * waits; a later one returns at once (so an application that closes its kernel early, when it
     * starts shutting down, does not wait a second grace period when the bean is destroyed).
     *
     * @throws IllegalStateException if called from a thread of this kernel (it would wait for itself)
     */
    @Override
    public void close() {
        closeWithin(gracePeriod);
    }

    /**
     * As {@link #close()}, waiting as long as it takes; stuck threads are logged each time the stuck
     * threshold passes. What {@link Thredo#run} does.
     */
    void closeAndWait() {
        closeWithin(null);
    }

    private void closeWithin(Duration grace) {
        ThreadControl self = ThreadControl.current();
        if (self != null && self.kernel() == core) {
            throw new IllegalStateException("a kernel cannot be closed from one of its own threads");
        }
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        core.shutdown();
        long limit = grace == null ? Clocks.NO_DEADLINE : Clocks.deadlineAfter(grace);
        long step = Math.max(core.stuckThresholdNanos(), 1_000_000L);
        for (;;) {
            long next = Clocks.deadlineAfterNanos(step);
            boolean last = grace != null && next - limit >= 0;
            if (core.awaitAllEnded(last ? limit : next)) {
                return;
            }
            if (last) {
                log.warn("kernel {} closed with {} thread(s) still running after {}: {}", name(),
                        core.unfinished(), grace, describe(core.survivors()));
                return;
            }
            List<ThreadControl> stuck = core.survivors().stream().filter(core.registry()::isStuck).toList();
            if (!stuck.isEmpty()) {
                // "Still running", not "ignoring": a group's owner cancelled while its members end waits
                // for them (as it must), and may be listed here under load without ignoring anything.
                log.warn("kernel {} is waiting for {} thread(s) still running longer than {} after their cancellation"
                        + " (a thread in a JDK call that ignores interrupts, or an owner waiting for its group): {}",
                        name(), stuck.size(), Duration.ofNanos(core.stuckThresholdNanos()), describe(stuck));
            }
        }
    }

    private static String describe(List<ThreadControl> threads) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (ThreadControl t : threads) {
            if (shown++ == 20) {
                sb.append(", ... (").append(threads.size() - 20).append(" more)");
                break;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append('#').append(t.id()).append(' ').append(t.name());
            long pending = t.nanosSinceCancelRequest();
            if (pending >= 0) {
                sb.append(" (cancelled ").append(Duration.ofNanos(pending).toMillis()).append(" ms ago)");
            }
        }
        return sb.toString();
    }

    KernelCore core() {
        return core;
    }

    /**
     * Forwards the core's thread events to the listeners, shielding the kernel from their failures:
     * whatever a listener throws, {@code Error}s and {@link ThreadCancelled} included, is caught, so
     * the kernel's own bookkeeping (the start, the outcome, the end) always completes and the other
     * listeners still hear of it. Each failing listener is reported once, at its first failure; its
     * later failures are logged at debug level only.
     */
    private static final class ListenerEvents implements KernelCore.Events {
        private final List<KernelListener> listeners;
        /** One flag per listener, by index: set when its first failure has been reported. */
        private final AtomicBoolean[] reported;

        ListenerEvents(List<KernelListener> listeners) {
            this.listeners = listeners;
            this.reported = new AtomicBoolean[listeners.size()];
            for (int i = 0; i < reported.length; i++) {
                reported[i] = new AtomicBoolean();
            }
        }

        @Override
        public void started(ThreadControl t) {
            ThredoThread<?> thread = ThredoThread.of(t);
            for (int i = 0; i < listeners.size(); i++) {
                try {
                    listeners.get(i).threadStarted(thread);
                } catch (Throwable e) {
                    failed(i, "threadStarted", e);
                }
            }
        }

        @Override
        public void ended(ThreadControl t, Outcome outcome, long cancelLatencyNanos) {
            ThredoThread<?> thread = ThredoThread.of(t);
            Duration latency = cancelLatencyNanos < 0 ? null : Duration.ofNanos(cancelLatencyNanos);
            for (int i = 0; i < listeners.size(); i++) {
                try {
                    listeners.get(i).threadEnded(thread, outcome, latency);
                } catch (Throwable e) {
                    failed(i, "threadEnded", e);
                }
            }
        }

        private void failed(int listener, String callback, Throwable e) {
            if (reported[listener].compareAndSet(false, true)) {
                log.warn("KernelListener {} failed in {} (reported once; the kernel carries on without its effect)",
                        listeners.get(listener), callback, e);
            } else {
                log.debug("KernelListener {} failed in {}", listeners.get(listener), callback, e);
            }
        }
    }

    @Override
    public String toString() {
        return "Kernel[" + name() + ", live=" + core.registry().size() + (isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Configures a {@link Kernel}. Defaults: name {@code "thredo"}, virtual threads, stuck threshold
     * 5 s, shutdown grace period 10 s.
     */
    public static final class Builder {
        private String name = "thredo";
        private boolean virtual = true;
        private Duration stuckThreshold = Duration.ofSeconds(5);
        private Duration gracePeriod = Duration.ofSeconds(10);
        private final List<KernelListener> listeners = new ArrayList<>();
        private final List<TaskDecorator> decorators = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a decorator of spawned tasks (for context propagation); decorators apply in the order
         * added, the last one outermost.
         *
         * @param decorator called on the spawning thread for each spawned task; not {@code null}
         * @return this builder
         * @throws NullPointerException if {@code decorator} is {@code null}
         */
        public Builder taskDecorator(TaskDecorator decorator) {
            decorators.add(Objects.requireNonNull(decorator, "decorator"));
            return this;
        }

        /**
         * Adds a listener of thread starts and ends (for metrics); listeners are called in the order
         * added.
         *
         * @param listener called on the kernel's hot paths; not {@code null}
         * @return this builder
         * @throws NullPointerException if {@code listener} is {@code null}
         */
        public Builder listener(KernelListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Sets the kernel's name, for logs and listings.
         *
         * @param name the name; not {@code null}
         * @return this builder
         * @throws NullPointerException if {@code name} is {@code null}
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Runs thredo threads on virtual threads (the default).
         *
         * @return this builder
         */
        public Builder virtualThreads() {
            this.virtual = true;
            return this;
        }

        /**
         * Runs thredo threads on platform threads, which are daemon threads: they do not keep the JVM
         * alive.
         *
         * @return this builder
         */
        public Builder platformThreads() {
            this.virtual = false;
            return this;
        }

        /**
         * Sets how long a thread may go on after its cancellation was requested before it is reported
         * as {@linkplain ThreadInfo#stuck() stuck}; also how often {@link Thredo#run} logs the threads
         * it is still waiting for.
         *
         * @param threshold a positive duration (default 5 s)
         * @return this builder
         * @throws IllegalArgumentException if {@code threshold} is zero or negative
         * @throws NullPointerException if {@code threshold} is {@code null}
         */
        public Builder stuckThreshold(Duration threshold) {
            this.stuckThreshold = positive(threshold, "stuckThreshold");
            return this;
        }

        /**
         * Sets how long {@link Kernel#close()} waits for cancelled threads to end.
         *
         * @param grace zero or more (default 10 s); zero: close cancels, logs what still runs, and returns
         * @return this builder
         * @throws IllegalArgumentException if {@code grace} is negative
         * @throws NullPointerException if {@code grace} is {@code null}
         */
        public Builder shutdownGracePeriod(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGracePeriod must not be negative: " + grace);
            }
            this.gracePeriod = grace;
            return this;
        }

        /**
         * Builds a kernel with this configuration; the builder may be used again.
         *
         * @return a new, open kernel; the caller owns it and must {@linkplain Kernel#close() close} it
         */
        public Kernel build() {
            return new Kernel(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
