package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static dev.thredo.testing.KernelPolling.awaitParkedIn;
import static dev.thredo.testing.TestKernels.inKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.thredo.testing.Polling;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cancellable synchronization primitives (DESIGN §3.6): thredo's test_sync, ported, and the
 * contract points thredo never tested (ownership, bounds, the re-acquire in {@code Condition.await},
 * the FIFO hand-off past abandoned waiters, timeouts, plain threads).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SyncTest {
    /** A timeout that surely expires while the holder keeps the primitive. */
    private static final Duration SHORT = Duration.ofMillis(50);
    private static final int RACE_ROUNDS = 10_000;

    // ---- helpers ----

    private static List<String> log() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    /** thredo's four lock-like primitives behind one face, so each test_sync scenario is written once. */
    record Mutex(String label, Runnable acquire, Runnable release, java.util.function.BooleanSupplier held) {
        static Mutex of(Lock l) {
            return new Mutex("Lock.lock", l::lock, l::unlock, l::isLocked);
        }

        static Mutex of(ReentrantLock l) {
            return new Mutex("ReentrantLock.lock", l::lock, l::unlock, l::isLocked);
        }

        static Mutex of(Semaphore s) {
            return new Mutex("Semaphore.acquire", s::acquire, s::release, () -> s.availablePermits() == 0);
        }

        /** A Condition used as a lock, as thredo's test_condition does ({@code with cond:}). */
        static Mutex of(Condition c) {
            Lock l = (Lock) c.lock();
            return new Mutex("Lock.lock", l::lock, l::unlock, l::isLocked);
        }
    }

    /** test_lock & co.: the holder keeps the primitive; a second thread waits in it and runs only after release. */
    private static void assertSecondThreadWaitsUntilRelease(Mutex m) throws Exception {
        inKernel(k -> {
            List<String> order = log();
            m.acquire().run();
            assertTrue(m.held().getAsBoolean());
            order.add("locked");
            ThredoThread<Void> child = Thredo.spawn("child", () -> {
                m.acquire().run();
                try {
                    order.add("child");
                } finally {
                    m.release().run();
                }
            });
            awaitBlocked(k, child, m.label());
            order.add("parent");
            m.release().run();
            child.join();
            assertEquals(List.of("locked", "parent", "child"), order);
            assertFalse(m.held().getAsBoolean());
        });
    }

    /**
     * test_lock_cancel & co.: a thread cancelled while it waits for a held primitive gets
     * ThreadCancelled (the request is made at once, so it may still be pending when the wait starts),
     * and the release after that leaves the primitive free: nothing was handed to the cancelled waiter.
     */
    private static void assertCancelledWaiterGetsThreadCancelledAndNothing(Mutex m) throws Exception {
        inKernel(k -> {
            m.acquire().run();
            ThredoThread<String> child = Thredo.spawn("child", () -> {
                try {
                    m.acquire().run();
                    return "acquired";
                } catch (ThreadCancelled e) {
                    try { // level-triggered: a swallowed cancellation is delivered again at the next wait
                        m.acquire().run();
                        return "acquired on the second try";
                    } catch (ThreadCancelled again) {
                        return "cancelled twice";
                    }
                }
            });
            child.cancel();
            assertEquals("cancelled twice", child.join());
            assertTrue(m.held().getAsBoolean(), "still held by the parent");
            m.release().run();
            assertFalse(m.held().getAsBoolean(), "the release must not hand the primitive to the cancelled waiter");
        });
    }

    /**
     * A waiter cancelled while parked is skipped by the FIFO hand-off: the release goes to the next
     * waiter, and the cancelled one never gets the primitive later.
     */
    private static void assertHandOffSkipsCancelledWaiter(Mutex m) throws Exception {
        inKernel(k -> {
            List<String> got = log();
            m.acquire().run();
            ThredoThread<Void> first = Thredo.spawn("first", () -> {
                m.acquire().run();
                got.add("first");
                m.release().run();
            });
            awaitBlocked(k, first, m.label());
            ThredoThread<Void> second = Thredo.spawn("second", () -> {
                m.acquire().run();
                got.add("second");
                m.release().run();
            });
            awaitBlocked(k, second, m.label());
            first.cancel();
            assertEquals(Outcome.CANCELLED, first.outcome());
            assertInstanceOf(ThreadCancelled.class, first.exceptionNow());
            m.release().run();
            second.join();
            assertEquals(List.of("second"), got);
            assertFalse(m.held().getAsBoolean());
        });
    }

    /** A waiter whose timeoutAfter expires gets ThreadTimeout and took nothing. */
    private static void assertTimedOutWaiterGetsThreadTimeoutAndNothing(Mutex m) throws Exception {
        inKernel(k -> {
            m.acquire().run();
            ThredoThread<Void> child = Thredo.spawn("child", () -> Thredo.timeoutAfter(SHORT, () -> m.acquire().run()));
            child.await();
            assertEquals(Outcome.FAILED, child.outcome());
            assertInstanceOf(ThreadTimeout.class, child.exceptionNow());
            assertTrue(m.held().getAsBoolean());
            m.release().run();
            assertFalse(m.held().getAsBoolean(), "the timed-out waiter must not get the primitive later");
        });
    }

    /**
     * Pitfall 3: a waiter handed the primitive before it saw its cancellation returns holding it,
     * and the cancellation stays pending for its next blocking point.
     */
    private static void assertWaiterHandedOverBeforeCancelReturnsHoldingIt(Mutex m) throws Exception {
        inKernel(k -> {
            List<String> order = log();
            Event cancelRequested = new Event();
            m.acquire().run();
            ThredoThread<Void> child = Thredo.spawn("child", () -> {
                m.acquire().run();
                try {
                    order.add("acquired");
                    Thredo.shield(() -> cancelRequested.await()); // so that the check below comes after the request
                    Thredo.sleep(Duration.ZERO);
                    order.add("not cancelled");
                } catch (ThreadCancelled e) {
                    order.add("cancel pending");
                    throw e;
                } finally {
                    m.release().run();
                }
            });
            awaitBlocked(k, child, m.label());
            m.release().run(); // hands over: the child's wait is decided before the cancel below
            assertTrue(child.requestCancel());
            cancelRequested.set();
            child.await();
            assertEquals(List.of("acquired", "cancel pending"), order);
            assertEquals(Outcome.CANCELLED, child.outcome());
            assertFalse(m.held().getAsBoolean());
        });
    }

    /** test_lock_race & co.: two threads each make RACE_ROUNDS guarded read-modify-writes of ±1. */
    private static void assertRaceKeepsCounterConsistent(Mutex m) throws Exception {
        Thredo.run(() -> {
            Event start = new Event();
            int[] value = {0};
            ThredoThread<Void> up = Thredo.spawn(() -> raceWorker(m, start, value, +1));
            ThredoThread<Void> down = Thredo.spawn(() -> raceWorker(m, start, value, -1));
            start.set();
            up.join();
            down.join();
            m.acquire().run();
            try {
                assertEquals(0, value[0]);
            } finally {
                m.release().run();
            }
            return null;
        });
    }

    private static void raceWorker(Mutex m, Event start, int[] value, int delta) {
        start.await();
        for (int i = 0; i < RACE_ROUNDS; i++) {
            m.acquire().run();
            try {
                int v = value[0];
                if ((i & 63) == 0) {
                    Thread.yield(); // widen the window a broken exclusion would need
                }
                value[0] = v + delta;
            } finally {
                m.release().run();
            }
        }
    }

    // ---- test_sync.py: Event ----

    @Test
    void eventWaiterRunsOnlyAfterSet() throws Exception {
        Event evt = new Event();
        List<String> order = log();
        inKernel(k -> {
            order.add("start");
            ThredoThread<Void> waiter = Thredo.spawn("waiter", () -> {
                evt.await();
                order.add("waiter");
            });
            awaitBlocked(k, waiter, "Event.await");
            order.add("event set");
            evt.set();
            waiter.join();
        });
        assertEquals(List.of("start", "event set", "waiter"), order);
        assertTrue(evt.isSet(), "the flag stays set until cleared");
        evt.clear(); // outside any kernel
        assertFalse(evt.isSet());
    }

    @Test
    void eventWaiterCancelledGetsThreadCancelled() throws Exception {
        Thredo.run(() -> {
            Event evt = new Event();
            AtomicReference<Throwable> caught = new AtomicReference<>();
            ThredoThread<Void> waiter = Thredo.spawn(() -> {
                try {
                    evt.await();
                } catch (ThreadCancelled e) {
                    caught.set(e);
                    throw e;
                }
            });
            waiter.cancel();
            assertInstanceOf(ThreadCancelled.class, caught.get());
            assertEquals(Outcome.CANCELLED, waiter.outcome());
            return null;
        });
    }

    @Test
    void eventAwaitReturnsAtOnceWhenSetEvenForACancelledThread() throws Exception {
        Thredo.run(() -> {
            Event evt = new Event();
            evt.set();
            ThredoThread<String> t = Thredo.spawn(() -> {
                Thredo.current().requestCancel();
                evt.await(); // not a wait, so not a delivery point
                return "returned";
            });
            t.await();
            assertEquals(Outcome.SUCCEEDED, t.outcome());
            assertEquals("returned", t.resultNow());
            return null;
        });
    }

    // ---- test_sync.py: Lock ----

    @EachFairness
    void lockMakesSecondThreadWaitUntilRelease(boolean fair) throws Exception {
        assertSecondThreadWaitsUntilRelease(Mutex.of(new Lock(fair)));
    }

    @EachFairness
    void lockWaiterCancelledGetsThreadCancelledAndNeverTheLock(boolean fair) throws Exception {
        assertCancelledWaiterGetsThreadCancelledAndNothing(Mutex.of(new Lock(fair)));
    }

    @EachFairness
    void lockRaceKeepsCounterConsistent(boolean fair) throws Exception {
        assertRaceKeepsCounterConsistent(Mutex.of(new Lock(fair)));
    }

    // ---- test_sync.py: Semaphore ----

    @EachFairness
    void semaphoreMakesSecondThreadWaitUntilRelease(boolean fair) throws Exception {
        assertSecondThreadWaitsUntilRelease(Mutex.of(new Semaphore(1, fair)));
    }

    @EachFairness
    void semaphoreWaiterCancelledGetsThreadCancelledAndNoPermit(boolean fair) throws Exception {
        assertCancelledWaiterGetsThreadCancelledAndNothing(Mutex.of(new Semaphore(1, fair)));
    }

    @EachFairness
    void semaphoreRaceKeepsCounterConsistent(boolean fair) throws Exception {
        assertRaceKeepsCounterConsistent(Mutex.of(new Semaphore(1, fair)));
    }

    // ---- test_sync.py: RLock ----

    @EachFairness
    void reentrantLockMakesSecondThreadWaitUntilRelease(boolean fair) throws Exception {
        assertSecondThreadWaitsUntilRelease(Mutex.of(new ReentrantLock(fair)));
    }

    @EachFairness
    void reentrantLockWaiterCancelledGetsThreadCancelledAndNeverTheLock(boolean fair) throws Exception {
        assertCancelledWaiterGetsThreadCancelledAndNothing(Mutex.of(new ReentrantLock(fair)));
    }

    @EachFairness
    void reentrantLockRaceKeepsCounterConsistent(boolean fair) throws Exception {
        assertRaceKeepsCounterConsistent(Mutex.of(new ReentrantLock(fair)));
    }

    // ---- test_sync.py: Condition used as a lock ----

    @EachFairness
    void conditionAsLockMakesSecondThreadWaitUntilRelease(boolean fair) throws Exception {
        assertSecondThreadWaitsUntilRelease(Mutex.of(new Condition(new Lock(fair))));
    }

    @EachFairness
    void conditionAsLockWaiterCancelledGetsThreadCancelledAndNeverTheLock(boolean fair) throws Exception {
        assertCancelledWaiterGetsThreadCancelledAndNothing(Mutex.of(new Condition(new Lock(fair))));
    }

    @EachFairness
    void conditionAsLockRaceKeepsCounterConsistent(boolean fair) throws Exception {
        assertRaceKeepsCounterConsistent(Mutex.of(new Condition(new Lock(fair))));
    }

    @EachFairness
    void conditionWaitNotifyAlternatesProducerAndConsumer(boolean fair) throws Exception {
        List<String> order = log();
        inKernel(k -> {
            Lock lock = new Lock(fair);
            Condition cond = new Condition(lock);
            int[] n = {0};
            ThredoThread<Void> consumer = Thredo.spawn("consumer", () -> {
                int seen = 0;
                lock.lock();
                try {
                    while (seen < 5) {
                        while (n[0] == seen) {
                            cond.await();
                        }
                        seen = n[0];
                        order.add("consume" + seen);
                    }
                } finally {
                    lock.unlock();
                }
            });
            for (int i = 1; i <= 5; i++) {
                // Instead of thredo's sleep(0.1): the consumer is queued on the condition again (a
                // signalled waiter leaves the queue at once, while its registry label lags until it runs).
                Polling.until("consumer waiting again", () -> !lock.isLocked() && cond.hasWaiters());
                lock.lock();
                try {
                    n[0]++;
                    order.add("produce" + n[0]);
                    cond.signal();
                } finally {
                    lock.unlock();
                }
            }
            consumer.join();
        });
        assertEquals(List.of("produce1", "consume1", "produce2", "consume2", "produce3", "consume3",
                "produce4", "consume4", "produce5", "consume5"), order);
    }

    // ---- ownership and bounds ----

    @EachFairness
    void reentrantLockCanBeLockedAgainByItsOwner(boolean fair) throws Exception {
        Thredo.run(() -> {
            ReentrantLock l = new ReentrantLock(fair);
            l.lock();
            l.lock();
            assertTrue(l.tryLock(), "tryLock by the owner re-enters");
            assertEquals(3, l.getHoldCount());
            assertTrue(l.isHeldByCurrentThread());
            l.unlock();
            l.unlock();
            assertTrue(l.isLocked(), "one hold is left");
            assertFalse(Thredo.spawn(() -> l.tryLock()).join(), "another thread cannot take it meanwhile");
            l.unlock();
            assertFalse(l.isLocked());
            assertEquals(0, l.getHoldCount());
            assertFalse(l.isHeldByCurrentThread());
            return null;
        });
    }

    @EachFairness
    void reentrantLockUnlockByNonOwnerThrowsIllegalMonitorState(boolean fair) throws Exception {
        Thredo.run(() -> {
            ReentrantLock l = new ReentrantLock(fair);
            l.lock();
            ThredoThread<Void> other = Thredo.spawn(l::unlock);
            ThreadFailed e = assertThrows(ThreadFailed.class, other::join);
            assertInstanceOf(IllegalMonitorStateException.class, e.getCause());
            assertTrue(l.isHeldByCurrentThread(), "the failed unlock changed nothing");
            assertEquals(1, l.getHoldCount());
            l.unlock();
            assertThrows(IllegalMonitorStateException.class, l::unlock, "unlock of an unlocked lock");
            return null;
        });
    }

    @EachFairness
    void lockHasNoOwnerSoAnotherThreadMayUnlockIt(boolean fair) throws Exception {
        Thredo.run(() -> {
            Lock l = new Lock(fair);
            l.lock();
            Thredo.spawn(l::unlock).join();
            assertFalse(l.isLocked());
            assertTrue(l.tryLock());
            assertFalse(l.tryLock(), "not reentrant: a second tryLock by the holder fails");
            l.unlock();
            assertThrows(IllegalMonitorStateException.class, l::unlock, "unlock of an unlocked lock");
            return null;
        });
    }

    @Test
    void boundedSemaphoreReleasePastItsBoundThrowsIllegalStateExceptionAndChangesNothing() {
        BoundedSemaphore s = new BoundedSemaphore(2);
        assertThrows(IllegalStateException.class, s::release);
        assertEquals(2, s.availablePermits());
        assertTrue(s.tryAcquire());
        s.release();
        assertThrows(IllegalStateException.class, s::release);
        assertEquals(2, s.availablePermits());
    }

    @Test
    void semaphoreReleaseHasNoUpperBound() {
        Semaphore s = new Semaphore(1);
        s.release();
        s.release();
        assertEquals(3, s.availablePermits());
    }

    @Test
    void negativeSemaphorePermitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertThrows(IllegalArgumentException.class, () -> new BoundedSemaphore(-1));
    }

    // ---- Condition: the re-acquire before any exception propagates ----

    @EachFairness
    void conditionAwaitOnLockReacquiresTheLockBeforeThreadCancelledPropagates(boolean fair) throws Exception {
        inKernel(k -> {
            Lock lock = new Lock(fair);
            Condition cond = lock.newCondition();
            List<String> order = log();
            ThredoThread<Void> waiter = Thredo.spawn("waiter", () -> {
                lock.lock();
                try {
                    cond.await();
                } catch (ThreadCancelled e) {
                    order.add("caught, locked=" + lock.isLocked());
                    throw e;
                } finally {
                    lock.unlock();
                }
            });
            awaitBlocked(k, waiter, "Condition.await");
            lock.lock(); // the re-acquire must wait for this
            waiter.requestCancel();
            awaitBlocked(k, waiter, "Lock.lock");
            order.add("main unlocks");
            lock.unlock();
            waiter.await();
            assertEquals(List.of("main unlocks", "caught, locked=true"), order);
            assertEquals(Outcome.CANCELLED, waiter.outcome());
            assertFalse(lock.isLocked());
        });
    }

    @EachFairness
    void conditionAwaitOnReentrantLockRestoresEveryHoldBeforeThreadCancelledPropagates(boolean fair) throws Exception {
        inKernel(k -> {
            ReentrantLock lock = new ReentrantLock(fair);
            Condition cond = lock.newCondition();
            List<String> order = log();
            ThredoThread<Void> waiter = Thredo.spawn("waiter", () -> {
                lock.lock();
                lock.lock();
                try {
                    cond.await();
                } catch (ThreadCancelled e) {
                    order.add("caught, held=" + lock.isHeldByCurrentThread() + " holds=" + lock.getHoldCount());
                    throw e;
                } finally {
                    lock.unlock();
                    lock.unlock();
                }
            });
            awaitBlocked(k, waiter, "Condition.await");
            assertFalse(lock.isLocked(), "await released every hold");
            lock.lock();
            waiter.requestCancel();
            awaitBlocked(k, waiter, "ReentrantLock.lock");
            order.add("main unlocks");
            lock.unlock();
            waiter.await();
            assertEquals(List.of("main unlocks", "caught, held=true holds=2"), order);
            assertEquals(Outcome.CANCELLED, waiter.outcome());
            assertFalse(lock.isLocked());
        });
    }

    @EachFairness
    void conditionAwaitOnLockReacquiresTheLockBeforeThreadTimeoutPropagates(boolean fair) throws Exception {
        Thredo.run(() -> {
            Lock lock = new Lock(fair);
            Condition cond = new Condition(lock);
            List<String> order = log();
            lock.lock();
            try {
                Thredo.timeoutAfter(SHORT, () -> {
                    try {
                        cond.await();
                    } catch (ThreadTimeout e) {
                        order.add("caught, locked=" + lock.isLocked());
                        throw e;
                    }
                });
                fail("await outlived its deadline");
            } catch (ThreadTimeout e) {
                order.add("timeout, locked=" + lock.isLocked());
            } finally {
                lock.unlock();
            }
            assertEquals(List.of("caught, locked=true", "timeout, locked=true"), order);
            assertFalse(lock.isLocked());
            return null;
        });
    }

    @EachFairness
    void conditionAwaitOnReentrantLockRestoresEveryHoldBeforeThreadTimeoutPropagates(boolean fair) throws Exception {
        Thredo.run(() -> {
            ReentrantLock lock = new ReentrantLock(fair);
            Condition cond = new Condition(lock);
            lock.lock();
            lock.lock();
            AtomicReference<String> inCatch = new AtomicReference<>();
            try {
                assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> {
                    try {
                        cond.await();
                    } catch (ThreadTimeout e) {
                        inCatch.set("held=" + lock.isHeldByCurrentThread() + " holds=" + lock.getHoldCount());
                        throw e;
                    }
                }));
            } finally {
                lock.unlock();
                lock.unlock();
            }
            assertEquals("held=true holds=2", inCatch.get());
            assertFalse(lock.isLocked());
            return null;
        });
    }

    @EachFairness
    void conditionReacquireWhileCancelledParksInsteadOfSpinning(boolean fair) throws Exception {
        // Pitfall 1: the cancelled waiter's interrupt flag is set while it waits to re-take the lock.
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Kernel k = Kernel.builder().platformThreads().build()) {
            k.run(() -> {
                Lock lock = new Lock(fair);
                Condition cond = lock.newCondition();
                ThredoThread<Void> waiter = Thredo.spawn("waiter", () -> {
                    lock.lock();
                    try {
                        cond.await();
                    } finally {
                        lock.unlock();
                    }
                });
                awaitBlocked(k, waiter, "Condition.await");
                lock.lock();
                waiter.requestCancel();
                awaitBlocked(k, waiter, "Lock.lock");
                long tid = waiter.thread().threadId();
                long cpuBefore = mx.getThreadCpuTime(tid);
                long wallBefore = System.nanoTime();
                Thread.sleep(300); // a measuring window, not synchronization
                long cpu = mx.getThreadCpuTime(tid) - cpuBefore;
                long wall = System.nanoTime() - wallBefore;
                lock.unlock();
                waiter.await();
                assertEquals(Outcome.CANCELLED, waiter.outcome());
                assertTrue(cpu < wall / 5, "the re-acquire burnt " + cpu / 1_000_000 + " ms CPU in " + wall / 1_000_000 + " ms");
                return null;
            });
        }
    }

    @EachFairness
    void signalAndSignalAllWithoutTheLockThrowIllegalMonitorState(boolean fair) {
        Condition onLock = new Condition(new Lock(fair));
        assertThrows(IllegalMonitorStateException.class, onLock::signal);
        assertThrows(IllegalMonitorStateException.class, onLock::signalAll);
        Condition onReentrant = new ReentrantLock(fair).newCondition();
        assertThrows(IllegalMonitorStateException.class, onReentrant::signal);
        assertThrows(IllegalMonitorStateException.class, onReentrant::signalAll);
    }

    @EachFairness
    void signalByAThreadNotHoldingTheReentrantLockThrowsIllegalMonitorState(boolean fair) throws Exception {
        Thredo.run(() -> {
            ReentrantLock lock = new ReentrantLock(fair);
            Condition cond = lock.newCondition();
            lock.lock();
            try {
                ThreadFailed e = assertThrows(ThreadFailed.class, () -> Thredo.spawn(cond::signal).join());
                assertInstanceOf(IllegalMonitorStateException.class, e.getCause());
                e = assertThrows(ThreadFailed.class, () -> Thredo.spawn(cond::signalAll).join());
                assertInstanceOf(IllegalMonitorStateException.class, e.getCause());
            } finally {
                lock.unlock();
            }
            return null;
        });
    }

    @EachFairness
    void awaitWithoutTheLockThrowsIllegalMonitorStateAndLeavesItFree(boolean fair) throws Exception {
        Thredo.run(() -> {
            Lock lock = new Lock(fair);
            Condition cond = lock.newCondition();
            assertThrows(IllegalMonitorStateException.class, cond::await);
            assertFalse(lock.isLocked());
            assertFalse(cond.hasWaiters());
            ReentrantLock rl = new ReentrantLock(fair);
            assertThrows(IllegalMonitorStateException.class, rl.newCondition()::await);
            assertFalse(rl.isLocked());
            return null;
        });
    }

    @EachFairness
    void conditionWaiterSignalledBeforeSeeingItsCancellationReturnsNormallyHoldingTheLock(boolean fair) throws Exception {
        inKernel(k -> {
            Lock lock = new Lock(fair);
            Condition cond = lock.newCondition();
            List<String> order = log();
            ThredoThread<Void> waiter = Thredo.spawn("waiter", () -> {
                lock.lock();
                try {
                    cond.await();
                    order.add("returned, locked=" + lock.isLocked());
                    Thredo.sleep(Duration.ZERO);
                } catch (ThreadCancelled e) {
                    order.add("cancel pending");
                    throw e;
                } finally {
                    lock.unlock();
                }
            });
            awaitBlocked(k, waiter, "Condition.await");
            lock.lock();
            cond.signal(); // consumed by the waiter before the cancel below
            waiter.requestCancel();
            lock.unlock();
            waiter.await();
            assertEquals(List.of("returned, locked=true", "cancel pending"), order);
            assertFalse(lock.isLocked());
        });
    }

    @EachFairness
    void conditionWaiterCancelledConsumesNoSignal(boolean fair) throws Exception {
        inKernel(k -> {
            Lock lock = new Lock(fair);
            Condition cond = lock.newCondition();
            List<ThredoThread<String>> waiters = new ArrayList<>();
            for (String name : List.of("cancelled", "next")) {
                ThredoThread<String> w = Thredo.spawn(name, () -> {
                    lock.lock();
                    try {
                        cond.await();
                        return name;
                    } finally {
                        lock.unlock();
                    }
                });
                awaitBlocked(k, w, "Condition.await");
                waiters.add(w);
            }
            waiters.get(0).cancel();
            assertEquals(Outcome.CANCELLED, waiters.get(0).outcome());
            lock.lock();
            cond.signal(); // must reach the next waiter, not vanish with the cancelled one
            lock.unlock();
            assertEquals("next", waiters.get(1).join());
        });
    }

    @EachFairness
    void conditionWaiterTimedOutConsumesNoSignal(boolean fair) throws Exception {
        inKernel(k -> {
            Lock lock = new Lock(fair);
            Condition cond = lock.newCondition();
            ThredoThread<Boolean> timed = Thredo.spawn("timed", () -> {
                lock.lock();
                try {
                    return cond.await(SHORT.toMillis(), TimeUnit.MILLISECONDS);
                } finally {
                    lock.unlock();
                }
            });
            awaitBlocked(k, timed, "Condition.await");
            ThredoThread<String> next = Thredo.spawn("next", () -> {
                lock.lock();
                try {
                    cond.await();
                    return "next";
                } finally {
                    lock.unlock();
                }
            });
            awaitBlocked(k, next, "Condition.await");
            assertFalse(timed.join(), "timed out");
            lock.lock();
            cond.signal();
            lock.unlock();
            assertEquals("next", next.join());
        });
    }

    // ---- FIFO hand-off, abandoned waiters, timeouts ----

    @Test
    void fairLockIsHandedToWaitersInArrivalOrder() throws Exception {
        inKernel(k -> {
            Lock lock = new Lock(true);
            List<String> order = log();
            lock.lock();
            List<ThredoThread<Void>> waiters = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ThredoThread<Void> w = Thredo.spawn(name, () -> {
                    lock.lock();
                    order.add(name);
                    lock.unlock();
                });
                awaitBlocked(k, w, "Lock.lock");
                waiters.add(w);
            }
            assertFalse(lock.tryLock(), "no barging past the waiters");
            lock.unlock();
            for (ThredoThread<Void> w : waiters) {
                w.join();
            }
            assertEquals(List.of("a", "b", "c"), order);
        });
    }

    @Test
    void nonFairLockWakesWaitersInArrivalOrder() throws Exception {
        inKernel(k -> {
            Lock lock = new Lock();
            List<String> order = log();
            lock.lock();
            List<ThredoThread<Void>> waiters = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ThredoThread<Void> w = Thredo.spawn(name, () -> {
                    lock.lock();
                    order.add(name);
                    lock.unlock();
                });
                awaitBlocked(k, w, "Lock.lock");
                waiters.add(w);
            }
            lock.unlock(); // nobody else competes: each unlock wakes the next in line, which takes it
            for (ThredoThread<Void> w : waiters) {
                w.join();
            }
            assertEquals(List.of("a", "b", "c"), order);
        });
    }

    /**
     * The difference between the modes, seen from a running thread that unlocks and locks again at
     * once while a waiter is parked: non-fair, it takes the lock back ahead of the woken waiter (which
     * then waits again and gets the lock later); fair, the unlock handed the lock to the waiter and the
     * running thread waits behind it. Non-fair rounds until the barge is seen (the first, in
     * practice); the bound only catches a lock that never lets a running thread barge.
     */
    @EachFairness
    void runningThreadBargesAheadOfAWokenWaiterOnlyWhenNonFair(boolean fair) throws Exception {
        inKernel(k -> {
            int barged = 0;
            int rounds = 0;
            while (rounds < (fair ? 20 : 1_000) && (fair || barged == 0)) {
                rounds++;
                ReentrantLock lock = new ReentrantLock(fair);
                List<String> order = log();
                lock.lock();
                ThredoThread<Void> waiter = Thredo.spawn("waiter", () -> {
                    lock.lock();
                    order.add("waiter");
                    lock.unlock();
                });
                awaitBlocked(k, waiter, "ReentrantLock.lock");
                assertTrue(lock.hasQueuedThread(waiter.thread()));
                lock.unlock();
                lock.lock();
                order.add("runner");
                lock.unlock();
                waiter.join();
                if (order.get(0).equals("runner")) {
                    barged++;
                }
            }
            if (fair) {
                assertEquals(0, barged, "a fair lock let a running thread go ahead of its waiter");
            } else {
                assertEquals(1, barged, "a non-fair lock never let the running thread take it back in " + rounds + " rounds");
            }
        });
    }

    /**
     * Releases made back to back while the first woken waiter is still on its way wake nobody else
     * (one woken waiter at a time); that waiter, finding more permits free, must wake the next, or
     * the rest would stay parked beside free permits. Repeated, since it needs the releases to beat
     * the woken thread's start.
     */
    @EachFairness
    void permitsReleasedBackToBackReachEveryParkedWaiter(boolean fair) throws Exception {
        int waiters = 4;
        inKernel(k -> {
            for (int round = 0; round < 200; round++) {
                Semaphore s = round % 2 == 0 ? new Semaphore(0, fair) : new BoundedSemaphore(waiters, fair);
                if (s instanceof BoundedSemaphore) {
                    for (int i = 0; i < waiters; i++) {
                        s.acquire(); // a bounded semaphore starts at its bound
                    }
                }
                List<ThredoThread<Void>> parked = new ArrayList<>();
                for (int i = 0; i < waiters; i++) {
                    ThredoThread<Void> t = Thredo.spawn(() -> s.acquire());
                    awaitBlocked(k, t, "Semaphore.acquire");
                    parked.add(t);
                }
                for (int i = 0; i < waiters; i++) {
                    s.release();
                }
                for (ThredoThread<Void> t : parked) {
                    t.join(); // hangs (the class's time limit fails it) if a waiter is left parked
                }
                assertEquals(0, s.availablePermits(), "round " + round);
            }
        });
    }

    @Test
    void fairSemaphoreReleaseGoesToTheLongestWaiterNotToABarger() throws Exception {
        inKernel(k -> {
            Semaphore s = new Semaphore(0, true);

            ThredoThread<Void> waiter = Thredo.spawn("waiter", s::acquire);
            awaitBlocked(k, waiter, "Semaphore.acquire");
            s.release();
            assertFalse(s.tryAcquire(), "the permit was handed to the waiter");
            waiter.join();
            assertEquals(0, s.availablePermits());
        });
    }

    @EachFairness
    void cancelledLockWaiterIsSkippedByTheFifoHandOff(boolean fair) throws Exception {
        assertHandOffSkipsCancelledWaiter(Mutex.of(new Lock(fair)));
    }

    @EachFairness
    void cancelledReentrantLockWaiterIsSkippedByTheFifoHandOff(boolean fair) throws Exception {
        assertHandOffSkipsCancelledWaiter(Mutex.of(new ReentrantLock(fair)));
    }

    @EachFairness
    void cancelledSemaphoreWaiterIsSkippedByTheFifoHandOff(boolean fair) throws Exception {
        assertHandOffSkipsCancelledWaiter(Mutex.of(new Semaphore(1, fair)));
    }

    @EachFairness
    void lockWaiterTimedOutByTimeoutAfterGetsThreadTimeoutAndNeverTheLock(boolean fair) throws Exception {
        assertTimedOutWaiterGetsThreadTimeoutAndNothing(Mutex.of(new Lock(fair)));
    }

    @EachFairness
    void reentrantLockWaiterTimedOutByTimeoutAfterGetsThreadTimeoutAndNeverTheLock(boolean fair) throws Exception {
        assertTimedOutWaiterGetsThreadTimeoutAndNothing(Mutex.of(new ReentrantLock(fair)));
    }

    @EachFairness
    void semaphoreWaiterTimedOutByTimeoutAfterGetsThreadTimeoutAndNoPermit(boolean fair) throws Exception {
        assertTimedOutWaiterGetsThreadTimeoutAndNothing(Mutex.of(new Semaphore(1, fair)));
    }

    @Test
    void eventWaiterTimedOutByTimeoutAfterGetsThreadTimeout() throws Exception {
        Thredo.run(() -> {
            Event evt = new Event();
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> evt.await()));
            assertFalse(evt.await(10, TimeUnit.MILLISECONDS), "the timed form returns false instead");
            return null;
        });
    }

    @EachFairness
    void lockWaiterHandedTheLockBeforeSeeingItsCancellationReturnsHoldingIt(boolean fair) throws Exception {
        assertWaiterHandedOverBeforeCancelReturnsHoldingIt(Mutex.of(new Lock(fair)));
    }

    @EachFairness
    void reentrantLockWaiterHandedTheLockBeforeSeeingItsCancellationReturnsHoldingIt(boolean fair) throws Exception {
        assertWaiterHandedOverBeforeCancelReturnsHoldingIt(Mutex.of(new ReentrantLock(fair)));
    }

    @EachFairness
    void semaphoreWaiterHandedAPermitBeforeSeeingItsCancellationReturnsWithIt(boolean fair) throws Exception {
        assertWaiterHandedOverBeforeCancelReturnsHoldingIt(Mutex.of(new Semaphore(1, fair)));
    }

    // ---- plain (non-thredo) threads ----

    /** Runs {@code body} on a plain platform thread and returns what it threw (or null). */
    private static Thread plain(String name, AtomicReference<Throwable> thrown, AtomicReference<Boolean> interruptedAfter,
            Runnable body) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                thrown.set(t);
            } finally {
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            }
        });
    }

    /**
     * A plain thread blocked in {@code wait} and interrupted ends as the JDK interface says: with
     * {@link InterruptedException} and its interrupt flag cleared (rev. 2 §3.6).
     */
    private static void assertPlainThreadInterruptEndsWaitWithInterruptedException(Runnable wait, String frame) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        Thread t = plain("plain-waiter", thrown, interrupted, wait);
        awaitParkedIn(t, frame);
        t.interrupt();
        t.join();
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertFalse(interrupted.get(), "the interrupt flag is cleared, as for the JDK's waits");
    }

    /** The same wait entered by a plain thread that is already interrupted throws at once, taking nothing. */
    private static void assertPlainThreadInterruptedBeforeItCallsGetsInterruptedException(Runnable wait) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        Thread t = plain("plain-interrupted", thrown, interrupted, () -> {
            Thread.currentThread().interrupt();
            wait.run();
        });
        t.join();
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertFalse(interrupted.get(), "the interrupt flag is cleared");
    }

    /**
     * {@code lock()} of a plain thread ignores interrupts, as the JDK's {@code Lock.lock()}: it keeps
     * waiting, gets the lock when it is released, and returns with its interrupt flag set.
     */
    private static void assertPlainThreadLockIgnoresInterrupt(java.util.concurrent.locks.Lock lock) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        AtomicReference<Boolean> gotIt = new AtomicReference<>();
        lock.lock();
        Thread t = plain("plain-locker", thrown, interrupted, () -> {
            lock.lock();
            gotIt.set(true);
        });
        awaitParkedIn(t, "dev.thredo.PermitLock.lock");
        t.interrupt();
        awaitParkedIn(t, "dev.thredo.PermitLock.lock"); // still waiting: the interrupt did not end the wait
        assertNull(thrown.get());
        assertTrue(t.isAlive());
        lock.unlock();
        t.join();
        assertNull(thrown.get());
        assertTrue(gotIt.get());
        assertTrue(interrupted.get(), "the interrupt flag is set again after the wait");
    }

    @EachFairness
    void plainThreadLockIgnoresAnInterruptAsTheJdkLockDoes(boolean fair) throws Exception {
        Lock lock = new Lock(fair);
        assertPlainThreadLockIgnoresInterrupt(lock);
        assertTrue(lock.isLocked(), "the plain thread took it (a Lock has no owner)");
        lock.unlock();
        ReentrantLock reentrant = new ReentrantLock(fair);
        assertPlainThreadLockIgnoresInterrupt(reentrant);
        assertTrue(reentrant.isLocked(), "held by the plain thread, which ended holding it");
    }

    @EachFairness
    void plainThreadInterruptedInLockInterruptiblyGetsInterruptedExceptionAndNeverTheLock(boolean fair) throws Exception {
        for (PermitLock lock : List.of(new Lock(fair), new ReentrantLock(fair))) {
            lock.lock();
            assertPlainThreadInterruptEndsWaitWithInterruptedException(lock::lockInterruptibly,
                    "dev.thredo.PermitLock.lockInterruptibly");
            lock.unlock();
            assertTrue(lock.tryLock(), lock + ": free, nothing was handed to the interrupted waiter");
            lock.unlock();
            assertPlainThreadInterruptedBeforeItCallsGetsInterruptedException(lock::lockInterruptibly);
            assertTrue(lock.tryLock(), lock + ": an interrupted lockInterruptibly took nothing, free as it was");
            lock.unlock();
        }
    }

    @EachFairness
    void plainThreadInterruptedInTimedTryLockGetsInterruptedExceptionAndNeverTheLock(boolean fair) throws Exception {
        ReentrantLock lock = new ReentrantLock(fair);
        lock.lock();
        assertPlainThreadInterruptEndsWaitWithInterruptedException(() -> lock.tryLock(1, TimeUnit.MINUTES),
                "dev.thredo.PermitLock.tryLock");
        lock.unlock();
        assertFalse(lock.isLocked());
    }

    @EachFairness
    void plainThreadInterruptedWhileWaitingForSemaphoreGetsInterruptedExceptionAndNoPermit(boolean fair) throws Exception {
        Semaphore s = new Semaphore(0, fair);
        assertPlainThreadInterruptEndsWaitWithInterruptedException(s::acquire, "dev.thredo.Semaphore.acquire");
        assertPlainThreadInterruptEndsWaitWithInterruptedException(() -> s.tryAcquire(1, TimeUnit.MINUTES),
                "dev.thredo.Semaphore.tryAcquire");
        s.release();
        assertEquals(1, s.availablePermits());
        assertPlainThreadInterruptedBeforeItCallsGetsInterruptedException(s::acquire);
        assertEquals(1, s.availablePermits(), "an interrupted acquire took no permit, though one was free");
    }

    @Test
    void plainThreadInterruptedWhileWaitingForEventGetsInterruptedException() throws Exception {
        Event evt = new Event();
        assertPlainThreadInterruptEndsWaitWithInterruptedException(evt::await, "dev.thredo.Event.await");
        assertFalse(evt.isSet());
    }

    @EachFairness
    void plainThreadInterruptedInConditionAwaitGetsInterruptedExceptionHoldingTheLock(boolean fair) throws Exception {
        ReentrantLock lock = new ReentrantLock(fair);
        Condition cond = lock.newCondition();
        AtomicReference<String> inCatch = new AtomicReference<>();
        assertPlainThreadInterruptEndsWaitWithInterruptedException(() -> {
            lock.lock();
            try {
                cond.await();
            } catch (Throwable e) { // InterruptedException, which thredo's await does not declare
                inCatch.set("held=" + lock.isHeldByCurrentThread() + " holds=" + lock.getHoldCount());
                throw e;
            } finally {
                lock.unlock();
            }
        }, "dev.thredo.Condition.await");
        assertEquals("held=true holds=1", inCatch.get());
        assertFalse(lock.isLocked());
    }

    @EachFairness
    void plainThreadsHandTheLockOverLikeAJdkLock(boolean fair) throws Exception {
        Lock lock = new Lock(fair);
        Semaphore s = new Semaphore(0, fair);
        lock.lock();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        Thread t = plain("plain-waiter", thrown, interrupted, () -> {
            lock.lock();
            lock.unlock();
            s.acquire();
        });
        awaitParkedIn(t, "dev.thredo.PermitLock.lock");
        lock.unlock();
        awaitParkedIn(t, "dev.thredo.Semaphore.acquire");
        s.release();
        t.join();
        assertNull(thrown.get());
        assertFalse(interrupted.get());
        assertFalse(lock.isLocked());
        assertEquals(0, s.availablePermits());
    }
}
