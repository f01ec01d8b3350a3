package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static dev.thredo.testing.KernelPolling.awaitParkedIn;
import static dev.thredo.testing.TestKernels.inKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thredo.testing.Polling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK interfaces thredo's primitives implement, used through those interfaces, as their
 * javadoc documents the non-blocking and timed methods: {@link java.util.concurrent.locks.Lock}
 * ({@link Lock}, {@link ReentrantLock}), {@link java.util.concurrent.locks.Condition}
 * ({@link Condition}) and {@link BlockingQueue} ({@link Queue}).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JdkContractTest {
    private static final long SHORT_MS = 50;

    /** Whether another (thredo) thread's {@code tryLock()} succeeds now; releases what it took. */
    private static boolean freeForAnotherThread(java.util.concurrent.locks.Lock lock) throws Exception {
        return Thredo.run(() -> {
            if (lock.tryLock()) {
                lock.unlock();
                return true;
            }
            return false;
        });
    }

    // ---- java.util.concurrent.locks.Lock: both thredo locks ----

    private static List<Supplier<java.util.concurrent.locks.Lock>> locks() {
        return List.of(Lock::new, ReentrantLock::new);
    }

    @Test
    void tryLockTakesAFreeLockAndRefusesAHeldOneWithoutBlocking() throws Exception {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            java.util.concurrent.locks.Lock lock = make.get();
            assertTrue(lock.tryLock(), lock.getClass().getSimpleName());
            assertFalse(freeForAnotherThread(lock), lock + " held by another thread");
            lock.unlock();
            assertTrue(freeForAnotherThread(lock), lock + " free again");
        }
    }

    @Test
    void timedTryLockOfAHeldLockReturnsFalseAfterItsTime() throws Exception {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            java.util.concurrent.locks.Lock lock = make.get();
            lock.lock();
            try {
                Thredo.run(() -> {
                    assertFalse(lock.tryLock(0, TimeUnit.MILLISECONDS), lock + ": zero timeout");
                    assertFalse(lock.tryLock(-5, TimeUnit.SECONDS), lock + ": negative timeout");
                    long start = System.nanoTime();
                    assertFalse(lock.tryLock(SHORT_MS, TimeUnit.MILLISECONDS), lock + ": short timeout");
                    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(SHORT_MS), "waited its time");
                    return null;
                });
            } finally {
                lock.unlock();
            }
            assertTrue(lock.tryLock(), lock + ": the expired waiters took nothing");
            lock.unlock();
        }
    }

    @Test
    void timedTryLockSucceedsWhenTheLockIsReleasedInTime() throws Exception {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            java.util.concurrent.locks.Lock lock = make.get();
            inKernel(k -> {
                lock.lock();
                ThredoThread<Boolean> waiter = Thredo.spawn("waiter", () -> {
                    boolean got = lock.tryLock(10, TimeUnit.SECONDS);
                    if (got) {
                        lock.unlock();
                    }
                    return got;
                });
                awaitBlocked(k, waiter, lock instanceof Lock ? "Lock.lock" : "ReentrantLock.lock");
                lock.unlock();
                assertTrue(waiter.join(), lock.toString());
            });
        }
    }

    @Test
    void lockInterruptiblyAcquiresLikeLock() throws Exception {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            java.util.concurrent.locks.Lock lock = make.get();
            lock.lockInterruptibly();
            assertFalse(freeForAnotherThread(lock));
            lock.unlock();
        }
    }

    @Test
    void unlockOfAnUnlockedLockThrowsIllegalMonitorState() {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            assertThrows(IllegalMonitorStateException.class, make.get()::unlock);
        }
    }

    @Test
    void newConditionIsAThredoConditionBoundToTheLock() {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            java.util.concurrent.locks.Lock lock = make.get();
            java.util.concurrent.locks.Condition c = lock.newCondition();
            Condition thredo = assertInstanceOf(Condition.class, c);
            assertSame(lock, thredo.lock());
        }
    }

    @Test
    void conditionRefusesALockThatIsNotAThredoLock() {
        assertThrows(IllegalArgumentException.class, () -> new Condition(new java.util.concurrent.locks.ReentrantLock()));
    }

    // ---- java.util.concurrent.locks.Condition ----

    @Test
    void timedAwaitReturnsFalseOnTimeoutHoldingTheLock() throws Exception {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            java.util.concurrent.locks.Lock lock = make.get();
            java.util.concurrent.locks.Condition c = lock.newCondition();
            lock.lock();
            try {
                long start = System.nanoTime();
                assertFalse(c.await(SHORT_MS, TimeUnit.MILLISECONDS));
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(SHORT_MS), "waited its time");
                assertFalse(c.await(0, TimeUnit.NANOSECONDS));
                assertFalse(c.awaitUntil(new Date(System.currentTimeMillis() - 1000)), "a deadline in the past");
                assertFalse(freeForAnotherThread(lock), "held again after every timed-out await");
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void awaitNanosReturnsZeroOrLessOnTimeout() throws Exception {
        for (Supplier<java.util.concurrent.locks.Lock> make : locks()) {
            java.util.concurrent.locks.Lock lock = make.get();
            java.util.concurrent.locks.Condition c = lock.newCondition();
            lock.lock();
            try {
                assertTrue(c.awaitNanos(TimeUnit.MILLISECONDS.toNanos(SHORT_MS)) <= 0);
                assertTrue(c.awaitNanos(0) <= 0);
                assertTrue(c.awaitNanos(-1) <= 0);
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void awaitNanosSignalledEarlyReturnsThePositiveTimeLeft() throws Exception {
        Thredo.run(() -> {
            ReentrantLock lock = new ReentrantLock();
            java.util.concurrent.locks.Condition c = lock.newCondition();
            long budget = TimeUnit.SECONDS.toNanos(10);
            ThredoThread<Long> waiter = Thredo.spawn(() -> {
                lock.lock();
                try {
                    return c.awaitNanos(budget);
                } finally {
                    lock.unlock();
                }
            });
            Polling.until("waiter in awaitNanos", () -> {
                lock.lock();
                try {
                    return ((Condition) c).hasWaiters();
                } finally {
                    lock.unlock();
                }
            });
            lock.lock();
            c.signal();
            lock.unlock();
            long left = waiter.join();
            assertTrue(left > 0 && left < budget, "left " + left);
            return null;
        });
    }

    /** Spawns waiters on {@code c} one by one, each parked in its await before the next arrives. */
    private static List<ThredoThread<String>> queueWaiters(Kernel k, java.util.concurrent.locks.Lock lock, Condition c,
            String... names) {
        List<ThredoThread<String>> waiters = new ArrayList<>();
        for (String name : names) {
            ThredoThread<String> w = Thredo.spawn(name, () -> {
                lock.lock();
                try {
                    c.await();
                    return name;
                } finally {
                    lock.unlock();
                }
            });
            awaitBlocked(k, w, "Condition.await");
            waiters.add(w);
        }
        return waiters;
    }

    @Test
    void signalWakesOneWaiterTheLongest() throws Exception {
        inKernel(k -> {
            Lock lock = new Lock();
            Condition c = new Condition(lock);
            List<ThredoThread<String>> w = queueWaiters(k, lock, c, "first", "second", "third");
            lock.lock();
            c.signal();
            assertTrue(c.hasWaiters(), "two still wait");
            lock.unlock();
            assertEquals("first", w.get(0).join());
            assertFalse(w.get(1).isDone());
            assertFalse(w.get(2).isDone());
            lock.lock();
            c.signal();
            assertTrue(c.hasWaiters(), "one still waits");
            lock.unlock();
            assertEquals("second", w.get(1).join());
            assertFalse(w.get(2).isDone());
            lock.lock();
            c.signal();
            assertFalse(c.hasWaiters());
            lock.unlock();
            assertEquals("third", w.get(2).join());
        });
    }

    @Test
    void signalAllWakesEveryWaiter() throws Exception {
        inKernel(k -> {
            ReentrantLock lock = new ReentrantLock();
            Condition c = new Condition(lock);
            List<ThredoThread<String>> waiters = queueWaiters(k, lock, c, "a", "b", "c");
            lock.lock();
            c.signalAll();
            assertFalse(c.hasWaiters());
            lock.unlock();
            for (ThredoThread<String> w : waiters) {
                assertEquals(w.name(), w.join());
            }
        });
    }

    @Test
    void signalWithNoWaiterIsNotRemembered() throws Exception {
        Thredo.run(() -> {
            Lock lock = new Lock();
            Condition c = lock.newCondition();
            lock.lock();
            try {
                c.signal();
                c.signalAll();
                assertFalse(c.await(10, TimeUnit.MILLISECONDS), "a signal before the await does not count");
            } finally {
                lock.unlock();
            }
            return null;
        });
    }

    @Test
    void timedAwaitSignalledInTimeReturnsTrue() throws Exception {
        inKernel(k -> {
            Lock lock = new Lock();
            Condition c = new Condition(lock);
            ThredoThread<Boolean> waiter = Thredo.spawn("waiter", () -> {
                lock.lock();
                try {
                    return c.await(10, TimeUnit.SECONDS);
                } finally {
                    lock.unlock();
                }
            });
            awaitBlocked(k, waiter, "Condition.await");
            lock.lock();
            c.signal();
            lock.unlock();
            assertTrue(waiter.join());
        });
    }

    @Test
    void awaitUninterruptiblyOfAPlainThreadKeepsWaitingThroughAnInterruptAndReturnsWithTheFlagSet() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition c = lock.newCondition();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("plain-waiter").start(() -> {
            lock.lock();
            try {
                c.awaitUninterruptibly();
                flagAfter.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                thrown.set(e);
            } finally {
                lock.unlock();
            }
        });
        awaitParkedIn(t, "dev.thredo.Condition.awaitUninterruptibly");
        t.interrupt();
        lock.lock();
        c.signal();
        lock.unlock();
        t.join();
        assertNull(thrown.get());
        assertTrue(flagAfter.get(), "returns with its interrupt status set");
    }

    @Test
    void awaitUninterruptiblyOfAThredoThreadHoldsItsCancellationBackUntilSignalled() throws Exception {
        inKernel(k -> {
            Lock lock = new Lock();
            Condition c = lock.newCondition();
            List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
            ThredoThread<Void> waiter = Thredo.spawn("waiter", () -> {
                lock.lock();
                try {
                    c.awaitUninterruptibly();
                    order.add("returned, locked=" + lock.isLocked());
                    Thredo.sleep(Duration.ZERO);
                } catch (ThreadCancelled e) {
                    order.add("cancelled");
                    throw e;
                } finally {
                    lock.unlock();
                }
            });
            awaitBlocked(k, waiter, "Condition.await");
            waiter.requestCancel();
            Polling.until("cancel requested", () -> k.thread(waiter.id()).map(ThreadInfo::state).orElse(null) == ThreadInfo.State.CANCELLING);
            assertFalse(waiter.isDone(), "still waiting");
            lock.lock();
            assertTrue(c.hasWaiters(), "still queued on the condition");
            c.signal();
            lock.unlock();
            waiter.await();
            assertEquals(List.of("returned, locked=true", "cancelled"), order);
            assertEquals(Outcome.CANCELLED, waiter.outcome());
        });
    }

    // ---- java.util.concurrent.BlockingQueue ----

    @Test
    void offerRefusesWhenFullAndAddThrowsIllegalStateException() {
        BlockingQueue<String> q = new Queue<>(2);
        assertTrue(q.offer("a"));
        assertTrue(q.add("b"));
        assertFalse(q.offer("c"));
        assertThrows(IllegalStateException.class, () -> q.add("c"));
        assertEquals(List.of("a", "b"), new ArrayList<>(q));
    }

    @Test
    void pollAndPeekReturnNullWhenEmptyElementAndRemoveThrow() {
        BlockingQueue<String> q = new Queue<>();
        assertNull(q.poll());
        assertNull(q.peek());
        assertThrows(NoSuchElementException.class, q::element);
        assertThrows(NoSuchElementException.class, q::remove);
        q.add("a");
        q.add("b");
        assertEquals("a", q.peek());
        assertEquals("a", q.element());
        assertEquals(2, q.size(), "peek and element remove nothing");
        assertEquals("a", q.remove());
        assertEquals("b", q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void remainingCapacityIsCapacityLessSizeOrMaxValueWhenUnbounded() {
        BlockingQueue<String> bounded = new Queue<>(3);
        assertEquals(3, bounded.remainingCapacity());
        bounded.add("a");
        assertEquals(2, bounded.remainingCapacity());
        BlockingQueue<String> unbounded = new Queue<>();
        assertEquals(Integer.MAX_VALUE, unbounded.remainingCapacity());
        unbounded.add("a");
        assertEquals(Integer.MAX_VALUE, unbounded.remainingCapacity());
    }

    @Test
    void sizeAndIsEmptyCountTheElements() {
        BlockingQueue<Integer> q = new Queue<>();
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        q.add(1);
        q.add(2);
        assertFalse(q.isEmpty());
        assertEquals(2, q.size());
    }

    @Test
    void drainToMovesEveryElementInOrder() {
        BlockingQueue<Integer> q = new Queue<>();
        q.addAll(List.of(1, 2, 3));
        List<Integer> out = new ArrayList<>(List.of(0));
        assertEquals(3, q.drainTo(out));
        assertEquals(List.of(0, 1, 2, 3), out);
        assertTrue(q.isEmpty());
        assertEquals(0, q.drainTo(out));
    }

    @Test
    void drainToWithMaxMovesAtMostMaxElements() {
        BlockingQueue<Integer> q = new Queue<>();
        q.addAll(List.of(1, 2, 3));
        List<Integer> out = new ArrayList<>();
        assertEquals(2, q.drainTo(out, 2));
        assertEquals(List.of(1, 2), out);
        assertEquals(0, q.drainTo(out, 0));
        assertEquals(List.of(3), new ArrayList<>(q));
    }

    @Test
    void drainToItselfThrowsIllegalArgumentException() {
        BlockingQueue<Integer> q = new Queue<>();
        q.add(1);
        assertThrows(IllegalArgumentException.class, () -> q.drainTo(q));
        assertThrows(IllegalArgumentException.class, () -> q.drainTo(q, 1));
        assertThrows(NullPointerException.class, () -> q.drainTo(null));
    }

    @Test
    void drainToMakesRoomForAWaitingPutter() throws Exception {
        inKernel(k -> {
            Queue<Integer> q = new Queue<>(1); // thredo's put declares no InterruptedException, so a Runnable can call it
            q.put(1);
            ThredoThread<Void> putter = Thredo.spawn("putter", () -> q.put(2));
            awaitBlocked(k, putter, "Queue.put");
            List<Integer> out = new ArrayList<>();
            q.drainTo(out, 1);
            putter.join();
            assertEquals(List.of(1), out);
            assertEquals(List.of(2), new ArrayList<>(q));
        });
    }

    @Test
    void containsAndRemoveObjectFindElementsByEquals() {
        BlockingQueue<String> q = new Queue<>();
        q.addAll(List.of("a", "b", "c"));
        assertTrue(q.contains("b"));
        assertFalse(q.contains("z"));
        assertTrue(q.remove("b"));
        assertFalse(q.remove("b"));
        assertFalse(q.contains("b"));
        assertEquals(List.of("a", "c"), new ArrayList<>(q));
    }

    @Test
    void iteratorVisitsElementsInTakeOrderAndCanRemove() {
        BlockingQueue<String> q = new Queue<>();
        q.addAll(List.of("a", "b", "c"));
        List<String> seen = new ArrayList<>();
        for (Iterator<String> it = q.iterator(); it.hasNext(); ) {
            String s = it.next();
            seen.add(s);
            if (s.equals("b")) {
                it.remove();
            }
        }
        assertEquals(List.of("a", "b", "c"), seen);
        assertEquals(List.of("a", "c"), new ArrayList<>(q));
        Iterator<String> fresh = q.iterator();
        assertThrows(IllegalStateException.class, fresh::remove, "remove before next");
    }

    @Test
    void iteratorRemoveOfAnElementAlreadyTakenRemovesNothingElse() {
        String first = new String("job");
        String second = new String("job"); // equal, but another element
        BlockingQueue<String> q = new Queue<>();
        q.add(first);
        q.add(second);
        Iterator<String> it = q.iterator();
        assertSame(first, it.next());
        assertSame(first, q.poll()); // a consumer takes it meanwhile
        it.remove(); // Iterator contract: removes the element last returned, which is gone already
        assertEquals(1, q.size(), "the other, equal element was removed: an item put is lost to the consumers");
        assertSame(second, q.peek());
    }

    @Test
    void iteratorRemoveRemovesTheElementItReturnedNotAnEarlierEqualOne() {
        String first = new String("job");
        String last = new String("job");
        BlockingQueue<String> q = new Queue<>();
        q.addAll(List.of(first, "other", last));
        Iterator<String> it = q.iterator();
        it.next();
        it.next();
        assertSame(last, it.next());
        it.remove();
        assertSame(first, q.poll(), "the element the iterator did not return is still at the head");
        assertEquals("other", q.poll());
        assertNull(q.poll());
    }

    @Test
    void nullElementsAreRejectedWithNullPointerException() {
        BlockingQueue<String> q = new Queue<>();
        assertThrows(NullPointerException.class, () -> q.offer(null));
        assertThrows(NullPointerException.class, () -> q.add(null));
        assertThrows(NullPointerException.class, () -> q.put(null));
        assertThrows(NullPointerException.class, () -> q.offer(null, 1, TimeUnit.MILLISECONDS));
        assertTrue(q.isEmpty());
    }

    @Test
    void timedOfferWithZeroWaitReturnsFalseWhenFull() throws InterruptedException {
        BlockingQueue<String> q = new Queue<>(1);
        assertTrue(q.offer("a", 0, TimeUnit.SECONDS), "room: inserted at once");
        assertFalse(q.offer("b", 0, TimeUnit.SECONDS));
        assertEquals(List.of("a"), new ArrayList<>(q));
    }

    @Test
    void timedPollWithZeroWaitReturnsNullWhenEmpty() throws InterruptedException {
        BlockingQueue<String> q = new Queue<>();
        assertNull(q.poll(0, TimeUnit.SECONDS));
        q.add("a");
        assertEquals("a", q.poll(0, TimeUnit.SECONDS));
    }

    @Test
    void clearRemovesEveryElement() {
        BlockingQueue<String> q = new Queue<>(5);
        q.addAll(List.of("a", "b", "c"));
        q.clear();
        assertTrue(q.isEmpty());
        assertEquals(5, q.remainingCapacity());
        assertNull(q.poll());
    }

    @Test
    void blockingQueueMethodsDeclareNoInterruptedException() throws Exception {
        // Compiles without catching InterruptedException: thredo's waits throw ThreadCancelled instead.
        Queue<String> q = new Queue<>(1);
        q.put("a");
        assertEquals("a", q.take());
        assertNull(q.poll(1, TimeUnit.MILLISECONDS));
        assertTrue(q.offer("b", 1, TimeUnit.MILLISECONDS));
    }
}
