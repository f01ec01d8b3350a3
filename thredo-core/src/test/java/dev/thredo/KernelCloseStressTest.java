package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kernel close with 100 000 live threads (stress; DESIGN §3.8): threads blocked in every
 * thredo wait (sleep, {@code Queue.take}, {@code Lock.lock}, {@code Semaphore.acquire},
 * {@code Event.await}, {@code Condition.await}, {@code join}, a group's {@code join} with its
 * members) and in JDK blocking calls that honour interrupts ({@code Thread.sleep},
 * {@code LinkedBlockingQueue.take}, {@code Object.wait}, {@code CountDownLatch.await}). {@code close()}
 * must end every one of them within its grace period: afterwards every thread's outcome is
 * {@code CANCELLED}, each ended exactly once, and the registry and the live count are empty.
 *
 * <p>One close in the default run, three in the heavy one.
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelCloseStressTest {
    private static final int THREADS = 100_000;
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final Duration FOREVER = Duration.ofHours(1);

    /** Where a thread is blocked when the kernel closes. */
    enum Wait { SLEEP, QUEUE_TAKE, LOCK, SEMAPHORE, EVENT, CONDITION, JOIN, GROUP, JDK_SLEEP, JDK_QUEUE_TAKE, JDK_OBJECT_WAIT, JDK_LATCH }

    @Test
    void closeEndsEveryBlockedThreadWithinTheGracePeriod() throws Exception {
        int closes = Stress.size(1, 3);
        long start = System.nanoTime();
        long checked = 0;
        long maxCloseMillis = 0;
        List<String> problems = new ArrayList<>();
        for (int c = 0; c < closes; c++) {
            long closeMillis = closeOnce(problems);
            maxCloseMillis = Math.max(maxCloseMillis, closeMillis);
            checked += THREADS;
        }
        Stress.report("kernel-close", "closes=" + closes + " threadsPerClose=" + THREADS + " threadsChecked=" + checked
                + " kinds=" + Wait.values().length + " maxCloseMs=" + maxCloseMillis + " graceMs=" + GRACE.toMillis(),
                problems.size(), start);
        assertEquals(List.of(), problems);
    }

    /** One kernel, THREADS blocked threads, one close; returns how long the close took. */
    private static long closeOnce(List<String> problems) throws Exception {
        LongAdder endedEvents = new LongAdder();
        LongAdder endedNotCancelled = new LongAdder();
        Kernel k = Kernel.builder().shutdownGracePeriod(GRACE).listener(new KernelListener() {
            @Override
            public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
                endedEvents.increment();
                if (outcome != Outcome.CANCELLED) {
                    endedNotCancelled.increment();
                }
            }
        }).build();
        Queue<Object> queue = new Queue<>();
        Lock lock = new Lock();
        lock.lock(); // held by nobody who will release it: every lock() waits
        Semaphore semaphore = new Semaphore(0);
        Event event = new Event();
        Lock conditionLock = new Lock();
        Condition condition = new Condition(conditionLock);
        LinkedBlockingQueue<Object> jdkQueue = new LinkedBlockingQueue<>();
        Object monitor = new Object();
        CountDownLatch never = new CountDownLatch(1);
        ThredoThread<Void> joined = k.spawn("joined", () -> Thredo.sleep(FOREVER));

        Wait[] kinds = Wait.values();
        int groupSize = 100;
        CountDownLatch blocked = new CountDownLatch(THREADS - 1);
        java.util.concurrent.ConcurrentLinkedQueue<ThredoThread<?>> threads = new java.util.concurrent.ConcurrentLinkedQueue<>();
        // An owner whose join was handed its members' ends before its own cancellation reached it returns
        // normally (the did-not-happen rule) and has no blocking point left: it may end SUCCEEDED. The close
        // cancels oldest first, so this is rare; it is allowed only for owners whose join really returned.
        Set<Long> ownersJoined = ConcurrentHashMap.newKeySet(); // by thread id
        threads.add(joined);
        int spawned = 1;
        for (int i = 0; spawned < THREADS; i++) {
            Wait kind = kinds[i % kinds.length];
            if (kind == Wait.GROUP) {
                int members = Math.min(groupSize, THREADS - spawned - 1);
                if (members < 1) {
                    continue;
                }
                threads.add(k.spawn("owner-" + i, () -> {
                    try (ThredoGroup g = ThredoGroup.open(ThredoGroup.Wait.ALL)) {
                        for (int m = 0; m < members; m++) {
                            threads.add(g.spawn(() -> {
                                blocked.countDown();
                                Thredo.sleep(FOREVER);
                            }));
                        }
                        blocked.countDown();
                        g.join();
                        ownersJoined.add(Thredo.current().id());
                    }
                }));
                spawned += 1 + members;
                continue;
            }
            threads.add(k.spawn(kind + "-" + i, () -> {
                blocked.countDown();
                block(kind, queue, lock, semaphore, event, conditionLock, condition, joined, jdkQueue, monitor, never);
                return null;
            }));
            spawned++;
        }
        assertTrue(blocked.await(120, TimeUnit.SECONDS), "every thread reached its wait");
        assertEquals(THREADS, k.stats().live(), "live threads before close");

        long closeStart = System.nanoTime();
        k.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);

        KernelStats s = k.stats();
        if (closeMillis >= GRACE.toMillis()) {
            problems.add("close took " + closeMillis + " ms, not within the grace period " + GRACE);
        }
        if (s.live() != 0 || !k.threads().isEmpty()) {
            problems.add("after close: live=" + s.live() + " listed=" + k.threads().size());
        }
        if (s.cancelled() != THREADS - ownersJoined.size() || s.spawned() != THREADS) {
            problems.add("after close: " + s);
        }
        if (endedEvents.sum() != THREADS || endedNotCancelled.sum() != ownersJoined.size()) {
            problems.add("ended events " + endedEvents.sum() + " (not CANCELLED: " + endedNotCancelled.sum() + ")");
        }
        if (threads.size() != THREADS) {
            problems.add(threads.size() + " handles for " + THREADS + " threads");
        }
        for (ThredoThread<?> t : threads) {
            Outcome allowed = ownersJoined.contains(t.id()) ? Outcome.SUCCEEDED : Outcome.CANCELLED;
            if ((!t.isDone() || t.outcome() != allowed) && problems.size() < 20) {
                problems.add(t + " ended " + t.outcome());
            }
        }
        return closeMillis;
    }

    private static void block(Wait kind, Queue<Object> queue, Lock lock, Semaphore semaphore, Event event, Lock conditionLock,
            Condition condition, ThredoThread<Void> joined, LinkedBlockingQueue<Object> jdkQueue, Object monitor,
            CountDownLatch never) throws Exception {
        switch (kind) {
            case SLEEP -> Thredo.sleep(FOREVER);
            case QUEUE_TAKE -> queue.take();
            case LOCK -> lock.lock();
            case SEMAPHORE -> semaphore.acquire();
            case EVENT -> event.await();
            case CONDITION -> {
                conditionLock.lock();
                try {
                    condition.await();
                } finally {
                    conditionLock.unlock();
                }
            }
            case JOIN -> {
                try {
                    joined.join();
                } catch (ThreadFailed targetCancelled) {
                    // The close cancelled the target before this joiner: its own cancellation is on its way.
                    Thredo.sleep(FOREVER);
                }
            }
            case JDK_SLEEP -> Thread.sleep(FOREVER.toMillis());
            case JDK_QUEUE_TAKE -> jdkQueue.take();
            case JDK_OBJECT_WAIT -> {
                synchronized (monitor) {
                    monitor.wait();
                }
            }
            case JDK_LATCH -> never.await();
            case GROUP -> throw new IllegalArgumentException("spawned as a group");
        }
        throw new AssertionError(kind + " returned");
    }
}
