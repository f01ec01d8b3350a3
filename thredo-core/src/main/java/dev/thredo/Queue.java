package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Timeouts;
import dev.thredo.internal.WaitQueue;
import dev.thredo.internal.Waiter;
import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A blocking queue whose waits can be cancelled: thredo's {@code Queue}, in FIFO ({@code new
 * Queue<>()}), {@linkplain #lifo LIFO} and {@linkplain #priority priority} order, unbounded or with a
 * capacity, and with thredo's {@link #taskDone()}/{@link #join()} to wait until every item put has
 * been processed.
 *
 * <h2>Blocking and cancellation</h2>
 * {@link #take()}, {@link #put(Object)}, the timed {@link #poll(long, TimeUnit)} and
 * {@link #offer(Object, long, TimeUnit)}, and {@link #join()} are, in a thredo thread, delivery
 * points while they wait. They obey the <em>did-not-happen</em> rule: a {@code take} that ends in
 * {@link ThreadCancelled} (or {@link ThreadTimeout}) removed no item, and a {@code put} that does
 * inserted none; a waiter that got its item (or whose item went in) before it saw its cancellation
 * returns normally, with the cancellation pending. The other methods never block. Like every
 * {@code BlockingQueue}, it refuses {@code null} elements. Usable from any thread: outside a thredo
 * thread the {@code BlockingQueue} interrupt contract holds: an interrupt before or during one of
 * these waits ends it with {@link InterruptedException} (thrown though not declared), the flag
 * cleared, nothing taken or inserted; so a {@code Queue} can be a {@code ThreadPoolExecutor}'s work
 * queue.
 *
 * <h2>Fairness</h2>
 * Non-fair by default, as {@link java.util.concurrent.ArrayBlockingQueue}: an item put goes into the
 * queue and wakes the longest-waiting taker, but a running thread that asks first may take it (and
 * likewise for room freed for waiting putters); woken waiters retry, in arrival order.
 * {@code new Queue<>(capacity, true)} is fair: items are handed directly to the longest-waiting
 * taker, and waiting putters' items are admitted in their arrival order, ahead of any later put.
 *
 * <p>Memory effects: as for {@link BlockingQueue}, actions before an insertion happen-before actions
 * after the element is removed. Iterators are weakly consistent snapshots.
 *
 * @param <E> the element type
 */
public final class Queue<E> extends AbstractQueue<E> implements BlockingQueue<E> {
    private final Object sync = new Object();
    private final java.util.Queue<E> items;        // guarded by sync
    private final int capacity;
    private final boolean fair;
    private final Comparator<? super E> comparator; // of a priority queue, else null
    // Guarded by sync. Fair: items is empty while a taker waits (items are handed to takers), and
    // full while a putter waits (each carries its item, admitted in order). Non-fair: a waiter only
    // waits to be woken, and then retries like any running thread.
    private final WaitQueue<E> takers = new WaitQueue<>();
    private final WaitQueue<E> putters = new WaitQueue<>();
    private final WaitQueue<Void> joiners = new WaitQueue<>();
    private long unfinished;                           // guarded by sync: items put and not yet marked done
    private final Function<Object, E> pollLocked = unused -> {
        synchronized (sync) {
            return pollNow();
        }
    };
    private final Function<E, Boolean> offerLocked = e -> {
        synchronized (sync) {
            return offerNow(e) ? Boolean.TRUE : null;
        }
    };

    /** An unbounded, non-fair FIFO queue. */
    public Queue() {
        this(Integer.MAX_VALUE);
    }

    /**
     * A non-fair FIFO queue holding at most {@code capacity} items.
     *
     * @param capacity the most items the queue holds; {@code put} waits while it is full. At least 1
     *     ({@link Integer#MAX_VALUE}: unbounded)
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public Queue(int capacity) {
        this(capacity, false);
    }

    /**
     * A FIFO queue holding at most {@code capacity} items.
     *
     * @param capacity the most items the queue holds; {@code put} waits while it is full. At least 1
     *     ({@link Integer#MAX_VALUE}: unbounded)
     * @param fair {@code true} to hand items to the longest-waiting taker and admit waiting putters
     *     in their order; {@code false} to let running threads go ahead of parked ones
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public Queue(int capacity, boolean fair) {
        this(new ArrayDeque<>(), checkCapacity(capacity), fair, null);
    }

    private Queue(java.util.Queue<E> items, int capacity, boolean fair, Comparator<? super E> comparator) {
        this.items = items;
        this.capacity = capacity;
        this.fair = fair;
        this.comparator = comparator;
    }

    /**
     * A non-fair LIFO queue (a stack) holding at most {@code capacity} items: {@code take} returns
     * the item put last.
     *
     * @param <E> the element type
     * @param capacity the most items the queue holds; {@code put} waits while it is full. At least 1
     *     ({@link Integer#MAX_VALUE}: unbounded)
     * @return a new, empty queue
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <E> Queue<E> lifo(int capacity) {
        return new Queue<>(Collections.asLifoQueue(new ArrayDeque<>()), checkCapacity(capacity), false, null);
    }

    /**
     * A non-fair queue that hands out the least item first by {@code order}, holding at most
     * {@code capacity}. Items that compare equal come out in no particular order.
     *
     * @param <E> the element type
     * @param capacity the most items the queue holds; {@code put} waits while it is full. At least 1
     *     ({@link Integer#MAX_VALUE}: unbounded)
     * @param order the order in which items are taken, least first
     * @return a new, empty queue
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     * @throws NullPointerException if {@code order} is {@code null}
     */
    public static <E> Queue<E> priority(int capacity, Comparator<? super E> order) {
        Objects.requireNonNull(order, "order");
        return new Queue<>(new PriorityQueue<>(order), checkCapacity(capacity), false, order);
    }

    /**
     * {@return the order of a {@linkplain #priority priority} queue, or {@code null} for a FIFO or
     * LIFO one} As {@code PriorityBlockingQueue.comparator()}.
     */
    public Comparator<? super E> comparator() {
        return comparator;
    }

    /**
     * {@return whether waiters are served strictly in arrival order ({@code true}) or running threads
     * may go first ({@code false})} Fixed at construction; {@link #lifo} and {@link #priority} queues
     * are never fair.
     */
    public boolean isFair() {
        return fair;
    }

    private static int checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        return capacity;
    }

    // ---- blocking operations ----

    /**
     * Inserts {@code e}, waiting while the queue is full.
     *
     * @throws ThreadCancelled if cancelled (or interrupted) while waiting; then nothing was inserted
     * @throws ThreadTimeout if a deadline passes while waiting; then nothing was inserted
     */
    @Override
    public void put(E e) {
        insert(e, Clocks.NO_DEADLINE);
    }

    /**
     * Inserts {@code e} if room appears within the timeout.
     *
     * @return {@code false} if the timeout passed first (nothing inserted)
     * @throws ThreadCancelled as {@link #put(Object)}
     */
    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) {
        return insert(e, Timeouts.limit(timeout, unit));
    }

    /**
     * Removes the next item, waiting while the queue is empty.
     *
     * @throws ThreadCancelled if cancelled (or interrupted) while waiting; then no item was removed
     * @throws ThreadTimeout if a deadline passes while waiting; then no item was removed
     */
    @Override
    public E take() {
        return remove(Clocks.NO_DEADLINE);
    }

    /**
     * Removes the next item if one arrives within the timeout.
     *
     * @return the item, or {@code null} if the timeout passed first
     * @throws ThreadCancelled as {@link #take()}
     */
    @Override
    public E poll(long timeout, TimeUnit unit) {
        return remove(Timeouts.limit(timeout, unit));
    }

    /**
     * Marks one item put as processed.
     *
     * @throws IllegalStateException if called more often than items were put
     */
    public void taskDone() {
        synchronized (sync) {
            if (unfinished == 0) {
                throw new IllegalStateException("taskDone() called more often than items were put");
            }
            if (--unfinished == 0) {
                joiners.signalAll();
            }
        }
    }

    /**
     * Waits until every item put has been marked done with {@link #taskDone()}; returns at once if so.
     *
     * @throws ThreadCancelled if cancelled (or interrupted) while waiting
     * @throws ThreadTimeout if a deadline passes while waiting
     */
    public void join() {
        Parking.checkInterruptOnEntry();
        Parking.awaitCondition(sync, joiners, () -> unfinished == 0, "Queue.join", Parking.Mode.INTERRUPTIBLE, Clocks.NO_DEADLINE);
    }

    private boolean insert(E e, long limit) {
        Objects.requireNonNull(e, "a BlockingQueue takes no null elements");
        Parking.checkInterruptOnEntry();
        Waiter<E> w;
        synchronized (sync) {
            if (offerNow(e)) {
                return true;
            }
            if (!fair) {
                w = null;
            } else {
                w = new Waiter<>(e);
                putters.add(w);
            }
        }
        if (w == null) {
            if (Parking.acquireRetrying(sync, putters, offerLocked, e, "Queue.put", Parking.Mode.INTERRUPTIBLE, limit) == null) {
                return false;
            }
            wakeNext(putters, true);
            return true;
        }
        return Parking.awaitHandOff(sync, putters, w, "Queue.put", Parking.Mode.INTERRUPTIBLE, limit);
    }

    private E remove(long limit) {
        Parking.checkInterruptOnEntry();
        Waiter<E> w;
        synchronized (sync) {
            E e = pollNow();
            if (e != null) {
                return e;
            }
            if (!fair) {
                w = null;
            } else {
                w = new Waiter<>();
                takers.add(w);
            }
        }
        if (w == null) {
            E e = Parking.acquireRetrying(sync, takers, pollLocked, null, "Queue.take", Parking.Mode.INTERRUPTIBLE, limit);
            if (e != null) {
                wakeNext(takers, false);
            }
            return e;
        }
        return Parking.awaitHandOff(sync, takers, w, "Queue.take", Parking.Mode.INTERRUPTIBLE, limit) ? w.item() : null;
    }

    /**
     * Stores {@code e} if there is room and wakes the longest taker; fair: hands it to that taker
     * instead, if there is one (guarded by sync).
     */
    private boolean offerNow(E e) {
        if (fair) {
            for (Waiter<E> t; (t = takers.peek()) != null; ) {
                takers.remove(t);
                if (t.signal(e)) {
                    unfinished++;
                    return true;
                }
            }
        }
        if (items.size() < capacity) {
            items.add(e);
            unfinished++;
            if (!fair) {
                takers.wakeFirst();
            }
            return true;
        }
        return false;
    }

    /**
     * After a non-fair waiter got its item or room: wakes the next waiter of its kind if more is
     * available, since puts or takes made while a woken waiter was on its way woke nobody
     * ({@link WaitQueue#wakeFirst()}).
     */
    private void wakeNext(WaitQueue<E> waiters, boolean forRoom) {
        if (waiters.mayNeedWaking()) {
            synchronized (sync) {
                if (forRoom ? items.size() < capacity : !items.isEmpty()) {
                    waiters.wakeFirst();
                }
            }
        }
    }

    /** Removes the next item, and lets a waiting putter into the freed room (guarded by sync). */
    private E pollNow() {
        E e = items.poll();
        if (e != null) {
            roomFreed();
        }
        return e;
    }

    /**
     * After an item left: fair, moves waiting putters' items into the free room; non-fair, wakes
     * the longest putter to retry (guarded by sync).
     */
    private void roomFreed() {
        if (fair) {
            admitPutters();
        } else {
            putters.wakeFirst();
        }
    }

    // ---- non-blocking BlockingQueue methods ----

    /** Inserts {@code e} if there is room now; never blocks. */
    @Override
    public boolean offer(E e) {
        Objects.requireNonNull(e, "a BlockingQueue takes no null elements");
        synchronized (sync) {
            return offerNow(e);
        }
    }

    /** Removes the next item if there is one; never blocks. */
    @Override
    public E poll() {
        synchronized (sync) {
            return pollNow();
        }
    }

    @Override
    public E peek() {
        synchronized (sync) {
            return items.peek();
        }
    }

    @Override
    public int size() {
        synchronized (sync) {
            return items.size();
        }
    }

    @Override
    public int remainingCapacity() {
        synchronized (sync) {
            return capacity == Integer.MAX_VALUE ? Integer.MAX_VALUE : capacity - items.size();
        }
    }

    @Override
    public boolean remove(Object o) {
        synchronized (sync) {
            if (o == null || !items.remove(o)) {
                return false;
            }
            roomFreed();
            return true;
        }
    }

    @Override
    public boolean contains(Object o) {
        synchronized (sync) {
            return o != null && items.contains(o);
        }
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        Objects.requireNonNull(c);
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        int n = 0;
        synchronized (sync) {
            for (E e; n < maxElements && (e = pollNow()) != null; n++) {
                c.add(e);
            }
        }
        return n;
    }

    /**
     * A weakly consistent iterator over a snapshot; its {@code remove} removes the element it returned
     * (that very instance) from the queue, if it is still there.
     */
    @Override
    public Iterator<E> iterator() {
        List<E> snapshot;
        synchronized (sync) {
            snapshot = new ArrayList<>(items);
        }
        Iterator<E> it = snapshot.iterator();
        return new Iterator<>() {
            private E last;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public E next() {
                return last = it.next();
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException();
                }
                removeInstance(last);
                last = null;
            }
        };
    }

    /** Removes {@code e} itself (not an equal element), if it is still queued. */
    private void removeInstance(E e) {
        synchronized (sync) {
            for (Iterator<E> i = items.iterator(); i.hasNext(); ) {
                if (i.next() == e) {
                    i.remove();
                    roomFreed();
                    return;
                }
            }
        }
    }

    /** Moves waiting putters' items into free room, in their order (fair; guarded by sync). */
    private void admitPutters() {
        while (items.size() < capacity) {
            Waiter<E> p = putters.peek();
            if (p == null) {
                return;
            }
            putters.remove(p);
            E item = p.item();
            if (p.signal()) {
                items.add(item);
                unfinished++;
            }
        }
    }
}
