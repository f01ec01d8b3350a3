package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static dev.thredo.testing.KernelPolling.awaitParkedIn;
import static dev.thredo.testing.Polling.until;
import static dev.thredo.testing.TestKernels.inKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Queue} (DESIGN §3.6): thredo's test_queue, ported, and the contract points thredo never
 * tested (LIFO and priority order, capacity and taskDone checks, FIFO fairness of both sides, the
 * did-not-happen rule for cancelled and timed-out puts and takes, plain threads).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueueTest {
    private static final Duration SHORT = Duration.ofMillis(50);

    // ---- helpers ----

    private static <E> List<E> drain(Queue<E> q) {
        List<E> out = new ArrayList<>();
        q.drainTo(out);
        return out;
    }

    // ---- test_queue.py ----

    @EachFairness
    void consumerTakesEveryItemInOrderAndJoinWaitsForEveryTaskDone(boolean fair) throws Exception {
        Object sentinel = new Object();
        List<Object> result = Collections.synchronizedList(new ArrayList<>());
        Thredo.run(() -> {
            Queue<Object> q = new Queue<>(Integer.MAX_VALUE, fair);
            ThredoThread<Void> consumer = Thredo.spawn(() -> {
                for (;;) {
                    Object item = q.take();
                    if (item == sentinel) {
                        q.taskDone();
                        return;
                    }
                    result.add(item);
                    q.taskDone();
                }
            });
            result.add("start");
            for (int i = 0; i < 3; i++) {
                q.put(i);
            }
            q.put(sentinel);
            q.join();
            result.add("done");
            consumer.join();
            return null;
        });
        assertEquals(List.of("start", 0, 1, 2, "done"), result);
    }

    @EachFairness
    void takeOnEmptyQueueCancelledGetsThreadCancelled(boolean fair) throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            AtomicReference<Throwable> caught = new AtomicReference<>();
            ThredoThread<String> taker = Thredo.spawn(() -> {
                try {
                    return q.take();
                } catch (ThreadCancelled e) {
                    caught.set(e);
                    throw e;
                }
            });
            taker.cancel();
            assertInstanceOf(ThreadCancelled.class, caught.get());
            assertEquals(Outcome.CANCELLED, taker.outcome());
            q.put("later");
            assertEquals("later", q.poll(), "the cancelled taker removed nothing");
            return null;
        });
    }

    @EachFairness
    void putOnFullQueueCancelledGetsThreadCancelledAndInsertsNothing(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<Integer> q = new Queue<>(1, fair);
            q.put(1);
            AtomicReference<Throwable> caught = new AtomicReference<>();
            ThredoThread<Void> putter = Thredo.spawn("putter", () -> {
                try {
                    q.put(2);
                } catch (ThreadCancelled e) {
                    caught.set(e);
                    throw e;
                }
            });
            awaitBlocked(k, putter, "Queue.put"); // thredo's sleep(0.1)
            putter.cancel();
            assertInstanceOf(ThreadCancelled.class, caught.get());
            assertEquals(List.of(1), drain(q));
            assertNull(q.poll(), "the cancelled put was not admitted into the freed room");
        });
    }

    @EachFairness
    void joinBlockedOnUnfinishedItemCancelledGetsThreadCancelled(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            q.put("never done");
            ThredoThread<Void> joiner = Thredo.spawn("joiner", q::join);
            awaitBlocked(k, joiner, "Queue.join");
            joiner.cancel();
            assertEquals(Outcome.CANCELLED, joiner.outcome());
            assertInstanceOf(ThreadCancelled.class, joiner.exceptionNow());
        });
    }

    // ---- join and taskDone ----

    @EachFairness
    void joinReturnsOnlyAfterEveryItemPutIsMarkedDone(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            q.put("a");
            q.put("b");
            ThredoThread<Void> joiner = Thredo.spawn("joiner", q::join);
            awaitBlocked(k, joiner, "Queue.join");
            q.take();
            q.take();
            q.taskDone();
            assertFalse(joiner.isDone(), "one item is still unfinished");
            q.taskDone();
            joiner.join();
            q.join(); // nothing unfinished: returns at once
        });
    }

    @Test
    void taskDoneCalledMoreOftenThanItemsWerePutThrowsIllegalStateException() {
        Queue<String> q = new Queue<>();
        assertThrows(IllegalStateException.class, q::taskDone);
        q.offer("x");
        q.poll();
        q.taskDone();
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    // ---- order ----

    @Test
    void fifoQueueHandsOutItemsInInsertionOrder() {
        Queue<Integer> q = new Queue<>(10);
        for (int i : List.of(3, 1, 2)) {
            q.put(i);
        }
        assertEquals(List.of(3, 1, 2), List.of(q.take(), q.take(), q.take()));
    }

    @Test
    void lifoQueueHandsOutTheNewestItemFirst() {
        Queue<Integer> q = Queue.lifo(10);
        for (int i : List.of(1, 2, 3)) {
            q.put(i);
        }
        assertEquals(3, q.peek());
        assertEquals(List.of(3, 2, 1), List.of(q.take(), q.take(), q.take()));
    }

    @Test
    void priorityQueueHandsOutTheLeastItemByItsOrderFirst() {
        Queue<String> q = Queue.priority(10, Comparator.comparing(String::length));
        for (String s : List.of("ccc", "a", "dddd", "bb")) {
            q.put(s);
        }
        assertEquals("a", q.peek());
        assertEquals(List.of("a", "bb", "ccc", "dddd"), List.of(q.take(), q.take(), q.take(), q.take()));
    }

    @Test
    void lifoAndPriorityQueuesHonourTheirCapacity() {
        Queue<Integer> lifo = Queue.lifo(2);
        Queue<Integer> prio = Queue.priority(2, Comparator.<Integer>naturalOrder());
        for (Queue<Integer> q : List.of(lifo, prio)) {
            assertTrue(q.offer(1));
            assertTrue(q.offer(2));
            assertFalse(q.offer(3));
            assertEquals(0, q.remainingCapacity());
        }
    }

    @Test
    void capacityBelowOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Queue<>(0));
        assertThrows(IllegalArgumentException.class, () -> new Queue<>(-1));
        assertThrows(IllegalArgumentException.class, () -> Queue.lifo(0));
        assertThrows(IllegalArgumentException.class, () -> Queue.priority(0, Comparator.naturalOrder()));
    }

    // ---- fairness ----

    @EachFairness
    void waitingTakersAreServedInArrivalOrder(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            List<ThredoThread<String>> takers = new ArrayList<>();
            for (String name : List.of("t1", "t2", "t3")) {
                ThredoThread<String> t = Thredo.spawn(name, q::take);
                awaitBlocked(k, t, "Queue.take");
                takers.add(t);
            }
            q.put("x");
            q.put("y");
            q.put("z");
            assertEquals(List.of("x", "y", "z"), List.of(takers.get(0).join(), takers.get(1).join(), takers.get(2).join()));
            assertTrue(q.isEmpty());
        });
    }

    /**
     * Items put back to back, faster than the woken takers run: non-fair, each woken taker still takes
     * its turn before the next is woken, so none overtakes an earlier one (a slow woken taker once
     * got the last item). Repeated, with more takers than cores, to give the scheduler its chances.
     */
    @EachFairness
    void takersWokenByPutsInARowTakeInArrivalOrder(boolean fair) throws Exception {
        int takerCount = 6;
        inKernel(k -> {
            for (int round = 0; round < 1000; round++) {
                Queue<Integer> q = new Queue<>(Integer.MAX_VALUE, fair);
                List<ThredoThread<Integer>> takers = new ArrayList<>();
                for (int i = 0; i < takerCount; i++) {
                    ThredoThread<Integer> t = Thredo.spawn("t" + i, q::take);
                    awaitBlocked(k, t, "Queue.take");
                    takers.add(t);
                }
                for (int i = 0; i < takerCount; i++) {
                    q.put(i);
                }
                for (int i = 0; i < takerCount; i++) {
                    assertEquals(i, takers.get(i).join(), "round " + round + ": taker " + i);
                }
            }
        });
    }

    /**
     * A woken putter whose retry throws (the priority queue's comparator refuses its item) passes its
     * wake-up on: the putter behind it, woken by nobody else, still gets the room.
     */
    @Test
    void aPutterWhoseRetryThrowsPassesTheWakeUpToTheNext() throws Exception {
        inKernel(k -> {
            Comparator<String> refusingBad = (a, b) -> {
                if (a.equals("bad") || b.equals("bad")) {
                    throw new IllegalArgumentException("no order for bad");
                }
                return a.compareTo(b);
            };
            Queue<String> q = Queue.priority(2, refusingBad);
            q.put("a");
            q.put("b");
            ThredoThread<Void> bad = Thredo.spawn("bad", () -> q.put("bad"));
            awaitBlocked(k, bad, "Queue.put");
            ThredoThread<Void> good = Thredo.spawn("good", () -> q.put("c"));
            awaitBlocked(k, good, "Queue.put");
            assertEquals("a", q.take());
            ThreadFailed failed = assertThrows(ThreadFailed.class, bad::join);
            assertInstanceOf(IllegalArgumentException.class, failed.getCause());
            good.join();
            assertEquals(List.of("b", "c"), drain(q));
        });
    }

    @EachFairness
    void waitingPuttersAreAdmittedInArrivalOrder(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<Integer> q = new Queue<>(1, fair);
            q.put(0);
            List<ThredoThread<Void>> putters = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int item = i;
                ThredoThread<Void> p = Thredo.spawn("p" + i, () -> q.put(item));
                awaitBlocked(k, p, "Queue.put");
                putters.add(p);
            }
            assertFalse(q.offer(99), "full");
            List<Integer> taken = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                taken.add(q.take());
            }
            assertEquals(List.of(0, 1, 2, 3), taken);
            for (ThredoThread<Void> p : putters) {
                p.join();
            }
        });
    }

    @Test
    void fairPutWhileTakersWaitHandsTheItemToTheLongestTakerNotToANonBlockingPoll() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, true);
            ThredoThread<String> taker = Thredo.spawn("taker", q::take);
            awaitBlocked(k, taker, "Queue.take");
            q.put("x");
            assertNull(q.poll(), "handed to the waiting taker");
            assertEquals("x", taker.join());
        });
    }

    @Test
    void fairTakeFromAFullQueueAdmitsTheLongestPutterAheadOfALaterOffer() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(1, true);
            q.put("a");
            ThredoThread<Void> putter = Thredo.spawn("putter", () -> q.put("b"));
            awaitBlocked(k, putter, "Queue.put");
            assertEquals("a", q.take());
            assertFalse(q.offer("late"), "the freed room went to the waiting putter");
            putter.join();
            assertEquals(List.of("b"), drain(q));
        });
    }

    /**
     * Non-fair: a put while a taker waits stores the item and wakes the taker; a running thread that
     * polls first may take it, and the woken taker then waits again for the next item. Rounds until
     * the barge is seen (the first, in practice); the bound only catches a queue that never lets a
     * running thread go first.
     */
    @Test
    void nonFairPollMayTakeAnItemAheadOfAWokenTakerWhichThenWaitsForTheNext() throws Exception {
        inKernel(k -> {
            boolean barged = false;
            for (int round = 0; round < 1_000 && !barged; round++) {
                Queue<String> q = new Queue<>();
                ThredoThread<String> taker = Thredo.spawn("taker", q::take);
                awaitBlocked(k, taker, "Queue.take");
                q.put("x");
                String polled = q.poll();
                barged = "x".equals(polled);
                if (barged) {
                    awaitBlocked(k, taker, "Queue.take");
                    q.put("y");
                    assertEquals("y", taker.join());
                } else {
                    assertEquals("x", taker.join());
                }
                assertTrue(q.isEmpty());
            }
            assertTrue(barged, "a running thread never took an item ahead of a woken taker");
        });
    }

    @Test
    void comparatorIsThePriorityOrderOrNullForFifoAndLifo() {
        Comparator<String> byLength = Comparator.comparing(String::length);
        assertSame(byLength, Queue.priority(4, byLength).comparator());
        assertNull(new Queue<String>().comparator());
        assertNull(new Queue<String>(4, true).comparator());
        assertNull(Queue.<String>lifo(4).comparator());
    }

    @Test
    void fairnessIsNonFairByDefaultAndAskedForByTheConstructor() {
        assertFalse(new Queue<String>().isFair());
        assertFalse(new Queue<String>(4).isFair());
        assertTrue(new Queue<String>(4, true).isFair());
        assertThrows(IllegalArgumentException.class, () -> new Queue<String>(0, true));
    }

    // ---- timed offer and poll ----

    @EachFairness
    void timedOfferOnFullQueueReturnsFalseAndInsertsNothing(boolean fair) throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>(1, fair);
            q.put("a");
            long start = System.nanoTime();
            assertFalse(q.offer("b", 50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited its time");
            assertEquals("a", q.take());
            assertNull(q.poll(), "the expired offer was not admitted into the freed room");
            return null;
        });
    }

    @EachFairness
    void timedPollOnEmptyQueueReturnsNullAndRemovesNothing(boolean fair) throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            long start = System.nanoTime();
            assertNull(q.poll(50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited its time");
            q.put("later");
            assertEquals(List.of("later"), drain(q), "the expired poll did not take the next item");
            return null;
        });
    }

    @EachFairness
    void timedOfferSucceedsWhenRoomAppearsInTime(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(1, fair);
            q.put("a");
            ThredoThread<Boolean> putter = Thredo.spawn("putter", () -> q.offer("b", 10, TimeUnit.SECONDS));
            awaitBlocked(k, putter, "Queue.put");
            assertEquals("a", q.take());
            assertTrue(putter.join());
            assertEquals(List.of("b"), drain(q));
        });
    }

    @EachFairness
    void timedPollReturnsAnItemPutInTime(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            ThredoThread<String> taker = Thredo.spawn("taker", () -> q.poll(10, TimeUnit.SECONDS));
            awaitBlocked(k, taker, "Queue.take");
            q.put("x");
            assertEquals("x", taker.join());
        });
    }

    // ---- did-not-happen under timeoutAfter, and the hand-off race ----

    @EachFairness
    void takeTimedOutByTimeoutAfterGetsThreadTimeoutAndRemovesNothing(boolean fair) throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> q.take()));
            q.put("later");
            assertEquals(List.of("later"), drain(q));
            return null;
        });
    }

    @EachFairness
    void putTimedOutByTimeoutAfterGetsThreadTimeoutAndInsertsNothing(boolean fair) throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>(1, fair);
            q.put("a");
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> q.put("b")));
            assertEquals("a", q.take());
            assertTrue(q.isEmpty(), "the timed-out put was not admitted into the freed room");
            q.taskDone();
            assertThrows(IllegalStateException.class, q::taskDone, "the timed-out put did not count as unfinished");
            return null;
        });
    }

    @EachFairness
    void takerHandedAnItemBeforeSeeingItsCancellationReturnsIt(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            Event cancelRequested = new Event();
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            ThredoThread<Void> taker = Thredo.spawn("taker", () -> {
                order.add("took " + q.take());
                awaitThenSeeTheCancel(cancelRequested, order);
            });
            awaitBlocked(k, taker, "Queue.take");
            q.put("x"); // handed over: the taker's wait is decided before the cancel below
            assertTrue(taker.requestCancel());
            cancelRequested.set();
            taker.await();
            assertEquals(List.of("took x", "cancel pending"), order);
            assertEquals(Outcome.CANCELLED, taker.outcome());
            assertTrue(q.isEmpty());
        });
    }

    @EachFairness
    void putterAdmittedBeforeSeeingItsCancellationReturnsNormally(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(1, fair);
            q.put("a");
            Event cancelRequested = new Event();
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            ThredoThread<Void> putter = Thredo.spawn("putter", () -> {
                q.put("b");
                order.add("put returned");
                awaitThenSeeTheCancel(cancelRequested, order);
            });
            awaitBlocked(k, putter, "Queue.put");
            assertEquals("a", q.take()); // admits "b": the putter's wait is decided before the cancel below
            assertTrue(putter.requestCancel());
            cancelRequested.set();
            putter.await();
            assertEquals(List.of("put returned", "cancel pending"), order);
            assertEquals(List.of("b"), drain(q));
        });
    }

    @EachFairness
    void cancelledTakerIsSkippedAndTheItemGoesToTheNextTaker(boolean fair) throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
            ThredoThread<String> first = Thredo.spawn("first", q::take);
            awaitBlocked(k, first, "Queue.take");
            ThredoThread<String> second = Thredo.spawn("second", q::take);
            awaitBlocked(k, second, "Queue.take");
            first.cancel();
            q.put("x");
            assertEquals("x", second.join());
            assertEquals(Outcome.CANCELLED, first.outcome());
            assertTrue(q.isEmpty());
        });
    }

    // ---- plain threads ----

    /**
     * A plain (non-thredo) thread in one of the queue's waits, interrupted: the BlockingQueue contract
     * (rev. 2 §3.6): InterruptedException, the flag cleared; {@code check} then sees nothing taken or inserted.
     */
    private static void assertPlainThreadInterruptedIn(String frame, Runnable wait) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("plain-waiter").start(() -> {
            try {
                wait.run();
            } catch (Throwable e) {
                thrown.set(e);
            } finally {
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitParkedIn(t, frame);
        t.interrupt();
        t.join();
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertFalse(flag.get(), "the interrupt flag is cleared");
    }

    @EachFairness
    void plainThreadInterruptedInTakeOrTimedPollGetsInterruptedExceptionAndRemovesNothing(boolean fair) throws Exception {
        Queue<String> q = new Queue<>(Integer.MAX_VALUE, fair);
        assertPlainThreadInterruptedIn("dev.thredo.Queue.take", q::take);
        assertPlainThreadInterruptedIn("dev.thredo.Queue.poll", () -> q.poll(1, TimeUnit.MINUTES));
        q.put("later");
        assertEquals(List.of("later"), drain(q));
    }

    @EachFairness
    void plainThreadInterruptedInPutOrTimedOfferGetsInterruptedExceptionAndInsertsNothing(boolean fair) throws Exception {
        Queue<String> q = new Queue<>(1, fair);
        q.put("a");
        assertPlainThreadInterruptedIn("dev.thredo.Queue.put", () -> q.put("b"));
        assertPlainThreadInterruptedIn("dev.thredo.Queue.offer", () -> q.offer("c", 1, TimeUnit.MINUTES));
        assertEquals(List.of("a"), drain(q));
        assertNull(q.poll());
    }

    @EachFairness
    void plainThreadAlreadyInterruptedGetsInterruptedExceptionEvenWhenItNeedNotWait(boolean fair) throws Exception {
        Queue<String> q = new Queue<>(2, fair);
        q.put("a");
        List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> flags = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> calls = List.of(q::take, () -> q.poll(1, TimeUnit.SECONDS), () -> q.put("b"),
                () -> q.offer("c", 1, TimeUnit.SECONDS));
        Thread t = Thread.ofPlatform().name("plain-interrupted").start(() -> {
            for (Runnable call : calls) {
                Thread.currentThread().interrupt();
                try {
                    call.run();
                } catch (Throwable e) {
                    thrown.add(e);
                }
                flags.add(Thread.currentThread().isInterrupted());
            }
        });
        t.join();
        assertEquals(calls.size(), thrown.size(), "every call threw: " + thrown);
        thrown.forEach(e -> assertInstanceOf(InterruptedException.class, e));
        assertEquals(Collections.nCopies(calls.size(), false), flags, "the flag is cleared each time");
        assertEquals(List.of("a"), drain(q), "nothing taken, nothing inserted");
    }

    /**
     * A {@code ThreadPoolExecutor} whose work queue is a thredo {@code Queue}: its workers are plain
     * threads blocked in {@code take} or the timed {@code poll}. {@code shutdown} interrupts the idle
     * ones, which must see {@code InterruptedException} and retire quietly; {@code shutdownNow}
     * drains the queue; idle core threads time out under {@code allowCoreThreadTimeOut}. No worker
     * may die of an exception (a {@code ThreadCancelled} escaping {@code take} would kill it and be
     * printed by the default handler), which the thread factory's handler records.
     */
    @EachFairness
    void threadPoolExecutorWithAThredoWorkQueueShutsDownQuietly(boolean fair) throws Exception {
        List<Throwable> workerDeaths = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ThreadFactory factory = r -> Thread.ofPlatform().name("pool-worker-", 0)
                .uncaughtExceptionHandler((th, e) -> workerDeaths.add(e)).unstarted(r);
        // shutdown: idle workers parked in take are interrupted and retire; queued tasks still run
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(3, 3, 1,
                TimeUnit.MINUTES, new Queue<>(64, fair), factory);
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 30; i++) {
            pool.execute(ran::incrementAndGet);
        }
        until("the 30 tasks ran", () -> ran.get() == 30);
        until("the workers went idle in take", () -> pool.getActiveCount() == 0);
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "shutdown retired the idle workers");

        // shutdownNow: a running task is interrupted, queued ones are handed back, workers retire
        java.util.concurrent.ThreadPoolExecutor busy = new java.util.concurrent.ThreadPoolExecutor(1, 1, 1,
                TimeUnit.MINUTES, new Queue<>(16, fair), factory);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        busy.execute(() -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 5; i++) {
            busy.execute(ran::incrementAndGet);
        }
        started.await();
        assertEquals(5, busy.shutdownNow().size(), "the queued tasks are handed back");
        assertTrue(busy.awaitTermination(10, TimeUnit.SECONDS));

        // allowCoreThreadTimeOut: idle core workers time out in the timed poll, without an interrupt
        java.util.concurrent.ThreadPoolExecutor idle = new java.util.concurrent.ThreadPoolExecutor(2, 2, 20,
                TimeUnit.MILLISECONDS, new Queue<>(16, fair), factory);
        idle.allowCoreThreadTimeOut(true);
        idle.execute(ran::incrementAndGet);
        idle.execute(ran::incrementAndGet);
        until("the idle core workers timed out", () -> idle.getPoolSize() == 0);
        idle.execute(ran::incrementAndGet); // a new worker starts for it
        until("the pool works on after its workers timed out", () -> ran.get() == 33);
        idle.shutdown();
        assertTrue(idle.awaitTermination(10, TimeUnit.SECONDS));

        assertEquals(List.of(), workerDeaths, "workers that died of an exception");
    }

    @EachFairness
    void plainProducerFeedsThredoConsumers(boolean fair) throws Exception {
        Queue<Integer> q = new Queue<>(2, fair);
        int items = 1_000;
        Thread producer = Thread.ofPlatform().name("listener").start(() -> {
            for (int i = 0; i < items; i++) {
                q.put(i);
            }
        });
        List<Integer> got = Thredo.run(() -> {
            List<Integer> all = Collections.synchronizedList(new ArrayList<>());
            List<ThredoThread<?>> consumers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                consumers.add(Thredo.spawn(() -> {
                    for (;;) {
                        all.add(q.take());
                        q.taskDone();
                    }
                }));
            }
            producer.join();
            q.join(); // every item taken and marked done
            for (ThredoThread<?> c : consumers) {
                c.cancel(); // they are parked in take on the empty queue
            }
            return all;
        });
        List<Integer> sorted = new ArrayList<>(got);
        Collections.sort(sorted);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            expected.add(i);
        }
        assertEquals(expected, sorted, "every item taken exactly once");
    }

    /**
     * Waits, shielded, until the test has requested this thread's cancel, then reaches a delivery point
     * and records "cancel pending" when the cancel is delivered there (it is rethrown).
     */
    private static void awaitThenSeeTheCancel(Event cancelRequested, List<String> order) {
        Thredo.shield(() -> cancelRequested.await());
        try {
            Thredo.sleep(Duration.ZERO);
        } catch (ThreadCancelled e) {
            order.add("cancel pending");
            throw e;
        }
    }
}
