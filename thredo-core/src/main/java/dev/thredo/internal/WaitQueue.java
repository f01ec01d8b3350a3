package dev.thredo.internal;

/**
 * A FIFO of {@link Waiter}s: the one waiting structure under every thredo primitive, in the manner
 * of {@code AbstractQueuedSynchronizer}'s queue.
 *
 * <p>Not thread-safe by itself: the owning primitive guards it with its own lock, so that the
 * decision "hand this item to that waiter" is made atomically with the primitive's state. Removing
 * a waiter is O(1) (the queue is doubly linked through the waiters), so a waiter that abandons its
 * wait unlinks itself without scanning.
 */
public final class WaitQueue {
    private Waiter head;
    private Waiter tail;

    /** Appends {@code w}. */
    public void add(Waiter w) {
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

    /** Unlinks {@code w} if it is still queued. */
    public void remove(Waiter w) {
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
    public Waiter peek() {
        Waiter w = head;
        while (w != null && !w.isWaiting()) {
            Waiter next = w.next;
            remove(w);
            w = next;
        }
        return w;
    }

    /**
     * Removes the first waiter still waiting and signals it; returns it, or {@code null} if no
     * waiter is left. Set {@link Waiter#item} on {@link #peek()} first to hand something over.
     */
    public Waiter signalFirst() {
        for (Waiter w; (w = peek()) != null; ) {
            remove(w);
            if (w.signal()) {
                return w;
            }
        }
        return null;
    }

    /** Removes and signals every waiter. */
    public void signalAll() {
        for (Waiter w = head; w != null; ) {
            Waiter next = w.next;
            remove(w);
            w.signal();
            w = next;
        }
    }

    /** Whether no waiter is queued (abandoned ones not yet unlinked count as queued). */
    public boolean isEmpty() {
        return head == null;
    }
}
