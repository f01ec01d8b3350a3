package dev.thredo.internal;

import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Fires deadlines that may have to end a JDK blocking call: one daemon thread for the whole JVM,
 * sleeping until the earliest armed deadline.
 *
 * <p>A thread's deadline scopes arm it <em>lazily</em> ({@link ThreadControl#armIfEarlier}): a new
 * {@link Entry} is scheduled only when the thread's effective deadline becomes earlier than the one
 * it already has armed, so a thread that opens scope after scope with later deadlines (a loop of
 * {@code timeoutAfter}, a request per thread) schedules nothing new, and leaving a scope costs nothing
 * here. An entry may therefore fire early, for a scope already left: the thread then re-arms for
 * the deadline it has now ({@link ThreadControl#deadlineDue}). An entry whose thread ended or which
 * an earlier one replaced is {@linkplain #retire retired}: it stays in the heap until it is due or
 * a purge drops it, holding nothing.
 *
 * <p>Scheduling is lock-free: an entry goes into an inbox the timer thread drains into a heap it
 * alone owns; the timer is woken only if the new entry is due before the time it sleeps until.
 * Firing never blocks the timer: delivery runs on a thread of the kernel's {@link CancelDelivery}.
 */
final class DeadlineTimer {
    /** How far in the future "no entry" sleeps: far, but still comparable by subtraction. */
    private static final long IDLE_NANOS = 1L << 62;
    /** Purge the heap of retired entries when at least this many were retired and they are half of it. */
    private static final int PURGE_THRESHOLD = 4096;

    private static final DeadlineTimer INSTANCE = new DeadlineTimer();

    /** One armed deadline of one thread. */
    static final class Entry {
        final long at;
        /** The armed thread; {@code null} once retired. */
        volatile ThreadControl control;

        Entry(ThreadControl control, long at) {
            this.control = control;
            this.at = at;
        }
    }

    private final ConcurrentLinkedQueue<Entry> inbox = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Entry> heap = new PriorityQueue<>((a, b) -> Long.signum(a.at - b.at)); // timer thread only
    private final AtomicLong retired = new AtomicLong();
    /** The {@link System#nanoTime()} the timer sleeps until; written by the timer before it re-checks the inbox. */
    private volatile long wakeAt = System.nanoTime() + IDLE_NANOS;
    private volatile Thread thread;

    private DeadlineTimer() {
    }

    /** Schedules {@code e} to fire at {@code e.at}, or at once if that has passed. */
    static void schedule(Entry e) {
        INSTANCE.add(e);
    }

    /** Marks {@code e} as no longer needed: it fires for nothing and the next purge drops it. */
    static void retire(Entry e) {
        e.control = null;
        INSTANCE.retired.incrementAndGet();
    }

    private void add(Entry e) {
        inbox.add(e);
        Thread t = thread;
        if (t == null) {
            t = start();
        }
        if (e.at - wakeAt < 0) { // pairs with run(): wakeAt written, then the inbox read
            LockSupport.unpark(t);
        }
    }

    private synchronized Thread start() {
        Thread t = thread;
        if (t == null) {
            t = Thread.ofPlatform().name("thredo-deadlines").daemon(true).unstarted(this::run);
            thread = t;
            t.start();
        }
        return t;
    }

    private void run() {
        for (;;) {
            for (Entry e; (e = inbox.poll()) != null;) {
                heap.add(e);
            }
            purgeIfWorthIt();
            long now = System.nanoTime();
            for (Entry head; (head = heap.peek()) != null && now - head.at >= 0;) {
                heap.poll();
                fire(head);
            }
            Entry head = heap.peek();
            long until = head == null ? now + IDLE_NANOS : head.at;
            wakeAt = until;
            if (!inbox.isEmpty()) {
                continue; // scheduled after the drain: it may be due before `until`
            }
            LockSupport.parkNanos(this, until - now);
            Thread.interrupted(); // nobody should interrupt this thread; if someone did, parking must not spin
        }
    }

    private static void fire(Entry e) {
        ThreadControl control = e.control;
        if (control == null) {
            return;
        }
        try {
            control.deadlineDue(e);
        } catch (Throwable t) { // out of memory starting a delivery thread: the timer itself must live on
            Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), t);
        }
    }

    private void purgeIfWorthIt() {
        long r = retired.get();
        if (r >= PURGE_THRESHOLD && r >= heap.size() / 2) {
            retired.addAndGet(-r);
            heap.removeIf(e -> e.control == null);
        }
    }
}
