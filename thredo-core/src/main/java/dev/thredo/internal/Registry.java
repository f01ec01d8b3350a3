package dev.thredo.internal;

import dev.thredo.ThreadInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * The live threads of one kernel.
 *
 * <p>Striped by id: each stripe is a doubly linked list threaded through the control blocks
 * themselves ({@code ThreadControl.registryPrev}/{@code registryNext}) under the
 * stripe's own monitor, so spawning and ending a thread allocate nothing here, touch one stripe
 * only, and take no global lock. (A {@code ConcurrentHashMap<Long, ThreadControl>} cost every thread a
 * node, a boxed key and its share of the table, about 60 B, which counts with a million threads.)
 * A listing visits one stripe at a time, holding only that stripe (weakly consistent: threads spawned
 * or ended meanwhile may or may not appear), and never walks a stack; only
 * {@link #info(ThreadControl, boolean) info(t, true)} does, for one thread. A lookup by id scans one
 * stripe.
 */
public final class Registry {
    private static final Comparator<ThreadControl> BY_ID_DESCENDING = Comparator.comparingLong(ThreadControl::id).reversed();

    /** One list of live threads; its monitor guards its links and count. */
    private static final class Stripe {
        ThreadControl head;
        int size;
    }

    private final Stripe[] stripes;
    private final long stuckThresholdNanos;

    Registry(long stuckThresholdNanos) {
        this.stuckThresholdNanos = stuckThresholdNanos;
        // A power of two, several per core: ids are sequential, so consecutive spawns use different stripes.
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 8 - 1) << 1;
        stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe();
        }
    }

    private Stripe stripe(long id) {
        return stripes[(int) id & (stripes.length - 1)];
    }

    void add(ThreadControl t) {
        Stripe s = stripe(t.id());
        synchronized (s) {
            ThreadControl h = s.head;
            t.registryNext = h;
            t.registryPrev = null;
            if (h != null) {
                h.registryPrev = t;
            }
            s.head = t;
            t.registered = true;
            s.size++;
        }
    }

    void remove(ThreadControl t) {
        Stripe s = stripe(t.id());
        synchronized (s) {
            if (!t.registered) {
                return;
            }
            ThreadControl p = t.registryPrev;
            ThreadControl n = t.registryNext;
            if (p == null) {
                s.head = n;
            } else {
                p.registryNext = n;
            }
            if (n != null) {
                n.registryPrev = p;
            }
            t.registryPrev = t.registryNext = null;
            t.registered = false;
            s.size--;
        }
    }

    /** The live thread with this id, or {@code null}. */
    public ThreadControl get(long id) {
        Stripe s = stripe(id);
        synchronized (s) {
            for (ThreadControl t = s.head; t != null; t = t.registryNext) {
                if (t.id() == id) {
                    return t;
                }
            }
        }
        return null;
    }

    /** Number of live threads. */
    public int size() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    /** The live threads, in no particular order: a snapshot taken one stripe at a time. */
    public Collection<ThreadControl> all() {
        List<ThreadControl> out = new ArrayList<>();
        for (Stripe s : stripes) {
            synchronized (s) {
                for (ThreadControl t = s.head; t != null; t = t.registryNext) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /**
     * The live threads that {@code filter} accepts, the {@code limit} lowest ids first.
     * Runs in O(n log limit) for n live threads, with no stack walks; {@code filter} runs while its
     * thread's stripe is held, so it must be quick and must not spawn or end threads.
     */
    public List<ThreadControl> select(Predicate<ThreadControl> filter, int limit) {
        PriorityQueue<ThreadControl> lowest = new PriorityQueue<>(Math.min(limit, 1024) + 1, BY_ID_DESCENDING);
        for (Stripe s : stripes) {
            synchronized (s) {
                for (ThreadControl t = s.head; t != null; t = t.registryNext) {
                    if (filter.test(t)) {
                        lowest.add(t);
                        if (lowest.size() > limit) {
                            lowest.poll();
                        }
                    }
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
        return t.blockedOn() != null || t.callInProgress() != null || jdkBlocked(t)
                ? ThreadInfo.State.BLOCKED : ThreadInfo.State.RUNNING;
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
        if (blockedOn == null) {
            blockedOn = t.callInProgress(); // a call with a cancel action: named by its registration
        }
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
                deadline == Clocks.NO_DEADLINE ? null : Clocks.toInstant(deadline),
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
