package dev.thredo.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The control block of every thread that is a thredo thread now, found by its JDK thread: what
 * {@link ThreadControl#current()} reads on every blocking operation.
 *
 * <p>Every operation is made by the thread the entry is for, about itself: a thread
 * {@linkplain #attach attaches} its own control block, {@linkplain #get looks it up} and
 * {@linkplain #detach detaches} it. That makes an open-addressing table of the control blocks
 * themselves enough, one reference slot per entry at a load of at most one half, where a
 * {@code ConcurrentHashMap} node costs 32 B per thread besides its table slot (which counts with a
 * million blocked threads), and a thread-local costs the thread its {@code ThreadLocalMap}.
 *
 * <h2>Algorithm</h2>
 * Striped by a hash of the thread id; each stripe is a table of slots (linear probing) holding a
 * control block, {@link #GONE} (a detached entry: probes go on past it, attach reuses it) or
 * {@code null} (the end of every probe through it). Attach and detach hold the stripe's monitor,
 * briefly and without blocking; attach rebuilds the table (without the detached slots, at twice the
 * size unless at most a quarter of it stays live) when live and detached slots would pass one half,
 * so that an entry costs 8 to 16 B of table and every probe meets a {@code null}. A lookup takes no
 * lock: it reads the current table and probes until its own entry or a {@code null}.
 *
 * <p>Why a lock-free lookup cannot miss or invent the caller's entry: the caller changed its own
 * entry last (attach or detach, under the monitor, in the table current then), so any table it
 * reads afterwards is that one or a later one, and every table is exact for the caller from the
 * moment it is published (a rebuild copies under the monitor, and later changes go to the new
 * table only). Slots never go back to {@code null}, so a probe that passed a slot on the caller's
 * insertion path still passes it.
 */
final class CurrentThreads {
    /** A slot whose entry was detached. */
    private static final Object GONE = new Object();
    private static final int INITIAL_CAPACITY = 16;

    /** One table; its monitor guards the writes to {@link #slots} and the counts. */
    private static final class Stripe {
        volatile AtomicReferenceArray<Object> slots = new AtomicReferenceArray<>(INITIAL_CAPACITY);
        int live;
        int gone;
    }

    private final Stripe[] stripes;

    CurrentThreads() {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 8 - 1) << 1;
        stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** The control block {@code self} attached, or {@code null}; {@code self} is the calling thread. */
    ThreadControl get(Thread self) {
        long hash = hash(self);
        AtomicReferenceArray<Object> slots = stripe(hash).slots;
        int mask = slots.length() - 1;
        for (int i = (int) hash & mask;; i = (i + 1) & mask) {
            Object e = slots.get(i);
            if (e == null) {
                return null;
            }
            if (e instanceof ThreadControl c && c.thread() == self) {
                return c;
            }
        }
    }

    /** Attaches {@code c} for its own thread, the calling thread, which has none attached. */
    void attach(ThreadControl c) {
        long hash = hash(c.thread());
        Stripe s = stripe(hash);
        synchronized (s) {
            AtomicReferenceArray<Object> slots = s.slots;
            if ((s.live + s.gone + 1) * 2 > slots.length()) {
                slots = rebuild(s);
            }
            int mask = slots.length() - 1;
            int i = (int) hash & mask;
            Object e;
            while ((e = slots.get(i)) != null && e != GONE) {
                i = (i + 1) & mask; // the caller has no entry here: the first free slot will do
            }
            if (e == GONE) {
                s.gone--; // reused: a slot never goes back to null, so no probe's path is cut short
            }
            slots.set(i, c);
            s.live++;
        }
    }

    /** Detaches the calling thread's entry {@code c}, if attached. */
    void detach(ThreadControl c) {
        Thread self = c.thread();
        long hash = hash(self);
        Stripe s = stripe(hash);
        synchronized (s) {
            AtomicReferenceArray<Object> slots = s.slots;
            int mask = slots.length() - 1;
            for (int i = (int) hash & mask;; i = (i + 1) & mask) {
                Object e = slots.get(i);
                if (e == null) {
                    return;
                }
                if (e == c) {
                    slots.set(i, GONE);
                    s.live--;
                    s.gone++;
                    return;
                }
            }
        }
    }

    /** Under the stripe's monitor: a new table holding the live entries, published before it is returned. */
    private static AtomicReferenceArray<Object> rebuild(Stripe s) {
        AtomicReferenceArray<Object> old = s.slots;
        int capacity = old.length();
        while (s.live * 4 > capacity) {
            capacity *= 2; // at most a quarter live after a rebuild: room to grow before the next
        }
        AtomicReferenceArray<Object> fresh = new AtomicReferenceArray<>(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < old.length(); j++) {
            if (old.get(j) instanceof ThreadControl e) {
                int i = (int) hash(e.thread()) & mask;
                while (fresh.get(i) != null) {
                    i = (i + 1) & mask;
                }
                fresh.set(i, e);
            }
        }
        s.gone = 0;
        s.slots = fresh;
        return fresh;
    }

    private Stripe stripe(long hash) {
        return stripes[(int) (hash >>> 32) & (stripes.length - 1)];
    }

    /** A spread of the thread id (ids are sequential): low bits index a table, high bits a stripe. */
    private static long hash(Thread t) {
        return t.threadId() * 0x9E3779B97F4A7C15L;
    }
}
