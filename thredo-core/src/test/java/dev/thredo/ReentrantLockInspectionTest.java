package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static dev.thredo.testing.Polling.until;
import static dev.thredo.testing.TestKernels.inKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ReentrantLock}'s inspection methods, as {@link java.util.concurrent.locks.ReentrantLock}'s
 * (DESIGN §3.6 rev. 2), in both fairness modes, and the fairness flag of every primitive.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReentrantLockInspectionTest {
    @Test
    void everyPrimitiveIsNonFairByDefaultAndFairOnRequest() {
        assertFalse(new ReentrantLock().isFair());
        assertTrue(new ReentrantLock(true).isFair());
        assertFalse(new Lock().isFair());
        assertTrue(new Lock(true).isFair());
        assertFalse(new Semaphore(1).isFair());
        assertTrue(new Semaphore(1, true).isFair());
        assertFalse(new BoundedSemaphore(1).isFair());
        assertTrue(new BoundedSemaphore(1, true).isFair());
    }

    @EachFairness
    void holdCountCountsTheCallersHoldsOnly(boolean fair) throws Exception {
        ReentrantLock lock = new ReentrantLock(fair);
        assertEquals(0, lock.getHoldCount());
        lock.lock();
        lock.lock();
        assertEquals(2, lock.getHoldCount());
        assertEquals(0, (int) Thredo.run(lock::getHoldCount), "another thread holds nothing");
        lock.unlock();
        assertEquals(1, lock.getHoldCount());
        lock.unlock();
        assertEquals(0, lock.getHoldCount());
        assertFalse(lock.isLocked());
    }

    @EachFairness
    void queueInspectionSeesTheParkedWaitersAndForgetsCancelledOnes(boolean fair) throws Exception {
        inKernel(k -> {
            ReentrantLock lock = new ReentrantLock(fair);
            assertFalse(lock.hasQueuedThreads());
            assertEquals(0, lock.getQueueLength());
            lock.lock();
            ThredoThread<Void> first = spawnBlockedIn(k, lock, "first");
            ThredoThread<Void> second = spawnBlockedIn(k, lock, "second");
            assertEquals(2, lock.getQueueLength());
            assertTrue(lock.hasQueuedThreads());
            assertTrue(lock.hasQueuedThread(first.thread()));
            assertTrue(lock.hasQueuedThread(second.thread()));
            assertFalse(lock.hasQueuedThread(Thread.currentThread()), "the holder is not queued");
            assertThrows(NullPointerException.class, () -> lock.hasQueuedThread(null));
            first.cancel();
            assertEquals(1, lock.getQueueLength(), "a cancelled waiter is no longer queued");
            assertFalse(lock.hasQueuedThread(first.thread()));
            lock.unlock();
            second.join();
            until("queue empty", () -> !lock.hasQueuedThreads());
            assertEquals(0, lock.getQueueLength());
            assertFalse(lock.isLocked());
        });
    }

    @EachFairness
    void conditionInspectionCountsItsWaitersAndNeedsTheLockAndItsOwnCondition(boolean fair) throws Exception {
        inKernel(k -> {
            ReentrantLock lock = new ReentrantLock(fair);
            java.util.concurrent.locks.Condition cond = lock.newCondition();
            Runnable await = () -> {
                lock.lock();
                try {
                    cond.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    lock.unlock();
                }
            };
            ThredoThread<Void> a = Thredo.spawn("a", await);
            awaitBlocked(k, a, "Condition.await");
            ThredoThread<Void> b = Thredo.spawn("b", await);
            awaitBlocked(k, b, "Condition.await");
            assertThrows(IllegalMonitorStateException.class, () -> lock.hasWaiters(cond), "the lock must be held");
            assertThrows(IllegalMonitorStateException.class, () -> lock.getWaitQueueLength(cond));
            lock.lock();
            try {
                assertTrue(lock.hasWaiters(cond));
                assertEquals(2, lock.getWaitQueueLength(cond));
                assertThrows(IllegalArgumentException.class, () -> lock.hasWaiters(new ReentrantLock().newCondition()));
                assertThrows(IllegalArgumentException.class,
                        () -> lock.getWaitQueueLength(new java.util.concurrent.locks.ReentrantLock().newCondition()));
                assertThrows(NullPointerException.class, () -> lock.hasWaiters(null));
                cond.signal();
                assertEquals(1, lock.getWaitQueueLength(cond));
                cond.signalAll();
                assertFalse(lock.hasWaiters(cond));
                assertEquals(0, lock.getWaitQueueLength(cond));
            } finally {
                lock.unlock();
            }
            a.join();
            b.join();
        });
    }

    /** A thread that locks and unlocks {@code lock}, once it is parked in {@code lock()}. */
    private static ThredoThread<Void> spawnBlockedIn(Kernel k, ReentrantLock lock, String name) {
        ThredoThread<Void> t = Thredo.spawn(name, () -> {
            lock.lock();
            lock.unlock();
        });
        awaitBlocked(k, t, "ReentrantLock.lock");
        return t;
    }
}
