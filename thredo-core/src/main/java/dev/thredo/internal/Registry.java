package dev.thredo.internal;

import dev.thredo.ThreadInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The live threads of one kernel, by id.
 *
 * <p>A {@link ConcurrentHashMap}: spawning and ending threads touch only their own bins, so neither
 * takes a global lock. A listing iterates the map without stopping anything (weakly consistent:
 * threads spawned or ended meanwhile may or may not appear) and never walks a stack; only
 * {@link #info(ThreadControl, boolean) info(t, true)} does, for one thread.
 */
public final class Registry {
    private static final Comparator<ThreadControl> BY_ID_DESCENDING = Comparator.comparingLong(ThreadControl::id).reversed();

    private final ConcurrentHashMap<Long, ThreadControl> threads = new ConcurrentHashMap<>(256);
    private final long stuckThresholdNanos;

    Registry(long stuckThresholdNanos) {
        this.stuckThresholdNanos = stuckThresholdNanos;
    }

    void add(ThreadControl t) {
        threads.put(t.id(), t);
    }

    void remove(ThreadControl t) {
        threads.remove(t.id(), t);
    }

    /** The live thread with this id, or {@code null}. */
    public ThreadControl get(long id) {
        return threads.get(id);
    }

    /** Number of live threads. */
    public int size() {
        return threads.size();
    }

    /** The live threads, in no particular order (weakly consistent). */
    public Collection<ThreadControl> all() {
        return threads.values();
    }

    /**
     * The live threads that {@code filter} accepts, the {@code limit} lowest ids first.
     * Runs in O(n log limit) for n live threads, with no stack walks.
     */
    public List<ThreadControl> select(Predicate<ThreadControl> filter, int limit) {
        PriorityQueue<ThreadControl> lowest = new PriorityQueue<>(Math.min(limit, 1024) + 1, BY_ID_DESCENDING);
        for (ThreadControl t : threads.values()) {
            if (filter.test(t)) {
                lowest.add(t);
                if (lowest.size() > limit) {
                    lowest.poll();
                }
            }
        }
        List<ThreadControl> out = new ArrayList<>(lowest);
        out.sort(Comparator.comparingLong(ThreadControl::id));
        return out;
    }

    /** Whether {@code t} has ignored its cancellation for longer than the stuck threshold. */
    public boolean isStuck(ThreadControl t) {
        return t.nanosSinceCancelRequest() > stuckThresholdNanos;
    }

    /** The registry state of {@code t}, as {@link ThreadInfo#state()} defines it. */
    public ThreadInfo.State state(ThreadControl t) {
        if (t.isCancelRequested()) {
            return ThreadInfo.State.CANCELLING;
        }
        return t.blockedOn() != null || jdkBlocked(t) ? ThreadInfo.State.BLOCKED : ThreadInfo.State.RUNNING;
    }

    private static boolean jdkBlocked(ThreadControl t) {
        Thread thread = t.thread();
        if (thread == null) {
            return false;
        }
        Thread.State s = thread.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    /** A snapshot of {@code t}; with its stack (and the JDK call it is blocked in) if {@code withStack}. */
    public ThreadInfo info(ThreadControl t, boolean withStack) {
        Thread thread = t.thread();
        String blockedOn = t.blockedOn();
        List<StackTraceElement> stack = List.of();
        if (withStack && thread != null) {
            stack = List.of(thread.getStackTrace());
        }
        if (blockedOn == null && jdkBlocked(t)) {
            blockedOn = withStack ? jdkCall(stack, thread.getState()) : "JDK " + thread.getState();
        }
        long deadline = t.publishedDeadline();
        long cancelAt = t.cancelRequestedAtMillis();
        GroupLink g = t.group() != null ? t.group() : t.ownedGroup();
        return new ThreadInfo(
                t.id(),
                t.name(),
                state(t),
                blockedOn,
                t.parentId(),
                g == null ? 0 : g.groupId(),
                g == null ? null : g.groupName(),
                t.isDaemon(),
                thread != null && thread.isVirtual(),
                Instant.ofEpochMilli(t.startedAtMillis()),
                deadline == DeadlineStack.NONE ? null : Clocks.toInstant(deadline),
                cancelAt == 0 ? null : Instant.ofEpochMilli(cancelAt),
                isStuck(t),
                stack);
    }

    /**
     * The JDK method the thread's own code called to block: the last JDK frame before the first
     * frame outside the JDK, reading from the top of the stack.
     */
    static String jdkCall(List<StackTraceElement> stack, Thread.State state) {
        StackTraceElement lastJdk = null;
        for (StackTraceElement f : stack) {
            if (isJdkFrame(f)) {
                lastJdk = f;
            } else {
                break;
            }
        }
        return lastJdk == null ? "JDK " + state : lastJdk.getClassName() + "." + lastJdk.getMethodName();
    }

    private static boolean isJdkFrame(StackTraceElement f) {
        String c = f.getClassName();
        return c.startsWith("java.") || c.startsWith("javax.") || c.startsWith("jdk.") || c.startsWith("sun.");
    }
}
