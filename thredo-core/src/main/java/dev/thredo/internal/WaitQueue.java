package dev.thredo.internal;

/**
 * A FIFO of {@link Waiter}s: the one waiting structure under every thredo primitive, in the manner
 * of {@code AbstractQueuedSynchronizer}'s queue.
 *
 * <p>Not thread-safe by itself: the owning primitive guards it with its own lock, so that the
 * decision "hand this item to that waiter" is made atomically with the primitive's state. Removing
 * a waiter is O(1) (the queue is doubly linked through the waiters), so a waiter that abandons its
 * wait unlinks itself without scanning. The one exception is {@link #mayHaveWaiters()}: a primitive
 * whose state lives in an atomic field reads it without the lock to decide whether a release must
 * take the lock to wake someone (the head is volatile for that Dekker-style handshake: a waiter
 * publishes itself here and then re-reads the state; a releaser writes the state and then reads
 * the head; one of them sees the other).
 *
 * <p>A barging primitive wakes its waiters with {@link #wakeFirst()}, which keeps at most one woken
 * waiter on its way to a retry (the {@code waking} mark, also read without the lock: see there).
 *
 * <p>Not final: a synchronizer whose state is read with the head on every release may be its own
 * queue ({@link Permits}).
 *
 * @param <T> what the waiters are handed; {@code Void} for plain waits
 */
public class WaitQueue<T> {
    private volatile Waiter<T> head;
    private Waiter<T> tail;
    /** Set from a {@link #wakeFirst()} that woke a waiter until that waiter begins its retry. */
    private volatile boolean waking;

    /** Appends {@code w}. */
    public void add(Waiter<T> w) {
        w.prev = tail;
        w.next = null;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        w.queued = true;
    }

    /**
     * Puts {@code w} first: for a waiter that was woken, lost the race for what it waits for to a
     * running thread, and waits again without losing its place.
     */
    public void addFirst(Waiter<T> w) {
        w.prev = null;
        w.next = head;
        if (head == null) {
            tail = w;
        } else {
            head.prev = w;
        }
        head = w;
        w.queued = true;
    }

    /** Unlinks {@code w} if it is still queued. */
    public void remove(Waiter<T> w) {
        if (!w.queued) {
            return;
        }
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = w.next = null;
        w.queued = false;
    }

    /** The first waiter still waiting, without removing it, or {@code null}; drops abandoned ones. */
    public Waiter<T> peek() {
        Waiter<T> w = head;
        while (w != null && !w.isWaiting()) {
            Waiter<T> next = w.next;
            remove(w);
            w = next;
        }
        return w;
    }

    /**
     * Removes the first waiter still waiting and signals it; returns it, or {@code null} if no
     * waiter is left. To hand something over, take the waiter from {@link #peek()} and
     * {@linkplain Waiter#signal(Object) signal it with the item}.
     */
    public Waiter<T> signalFirst() {
        for (Waiter<T> w; (w = peek()) != null; ) {
            remove(w);
            if (w.signal()) {
                return w;
            }
        }
        return null;
    }

    /**
     * Wakes the first waiter of a barging primitive to retry, unless a waiter woken before has not
     * yet {@linkplain #retried() retried} (guarded by the owner's lock). One waiter on its way is
     * enough, and the only one allowed, so that woken waiters take their turns in arrival order:
     * <ul>
     * <li>if its retry succeeds, it clears the mark and then looks at the state again, and wakes the
     *     next waiter if more is available (as {@code AbstractQueuedSynchronizer} propagates a shared
     *     release), so several permits released, or several items put, wake waiters one after
     *     another;</li>
     * <li>if it fails, it queues itself first again, clears the mark and then tries once more before
     *     it parks.</li>
     * </ul>
     * Either way it writes the mark and then reads the state, while the caller changed the state
     * before it read the mark here: a Dekker-style handshake on two volatile fields, as with
     * {@link #mayHaveWaiters()}, so a change that woke nobody is seen by the woken waiter. Waking
     * more would only add threads that lose the race to running ones and park again, a park/unpark
     * convoy, and let a later waiter overtake an earlier one.
     */
    public void wakeFirst() {
        if (mayNeedWaking()) {
            waking = true; // before the signal: the woken thread may clear it at once
            if (signalFirst() == null) {
                waking = false;
            }
        }
    }

    /**
     * Whether {@link #wakeFirst()} may have someone to wake: a waiter is queued and none woken before
     * has yet to settle its retry. May be read without the owner's lock, after changing the state: a
     * {@code false} because a woken waiter is on its way is exact (its retry will see the change), so
     * a releaser takes the lock only on {@code true}.
     */
    public boolean mayNeedWaking() {
        return head != null && !waking;
    }

    /**
     * Called by a waiter woken by {@link #wakeFirst()} once its retry is settled: after it took what
     * it waited for (then, without the owner's lock, before it looks for more to pass on), or after it
     * queued itself first again (then under the lock, before it tries once more).
     */
    public void retried() {
        waking = false;
    }

    /** Removes and signals every waiter. */
    public void signalAll() {
        for (Waiter<T> w = head; w != null; ) {
            Waiter<T> next = w.next;
            remove(w);
            w.signal();
            w = next;
        }
    }

    /** Whether no waiter is queued (abandoned ones not yet unlinked count as queued). */
    public boolean isEmpty() {
        return head == null;
    }

    /**
     * Whether a waiter may be queued; the one method that may be called without the owner's lock.
     * {@code false} is exact for every waiter queued before the caller's preceding volatile write.
     */
    public boolean mayHaveWaiters() {
        return head != null;
    }

    /** How many waiters are still waiting. */
    public int size() {
        int n = 0;
        for (Waiter<T> w = head; w != null; w = w.next) {
            if (w.isWaiting()) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code t} has a waiter here that is still waiting. */
    public boolean contains(Thread t) {
        for (Waiter<T> w = head; w != null; w = w.next) {
            if (w.thread == t && w.isWaiting()) {
                return true;
            }
        }
        return false;
    }
}
