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

    @Test
    void consumerTakesEveryItemInOrderAndJoinWaitsForEveryTaskDone() throws Exception {
        Object sentinel = new Object();
        List<Object> result = Collections.synchronizedList(new ArrayList<>());
        Thredo.run(() -> {
            Queue<Object> q = new Queue<>();
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

    @Test
    void takeOnEmptyQueueCancelledGetsThreadCancelled() throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>();
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

    @Test
    void putOnFullQueueCancelledGetsThreadCancelledAndInsertsNothing() throws Exception {
        inKernel(k -> {
            Queue<Integer> q = new Queue<>(1);
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

    @Test
    void joinBlockedOnUnfinishedItemCancelledGetsThreadCancelled() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>();
            q.put("never done");
            ThredoThread<Void> joiner = Thredo.spawn("joiner", q::join);
            awaitBlocked(k, joiner, "Queue.join");
            joiner.cancel();
            assertEquals(Outcome.CANCELLED, joiner.outcome());
            assertInstanceOf(ThreadCancelled.class, joiner.exceptionNow());
        });
    }

    // ---- join and taskDone ----

    @Test
    void joinReturnsOnlyAfterEveryItemPutIsMarkedDone() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>();
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

    @Test
    void waitingTakersAreServedInArrivalOrder() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>();
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

    @Test
    void waitingPuttersAreAdmittedInArrivalOrder() throws Exception {
        inKernel(k -> {
            Queue<Integer> q = new Queue<>(1);
            q.put(0);
            List<ThredoThread<Void>> putters = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int item = i;
                ThredoThread<Void> p = Thredo.spawn("p" + i, () -> q.put(item));
                awaitBlocked(k, p, "Queue.put");
                putters.add(p);
            }
            assertFalse(q.offer(99), "no barging past the waiting putters");
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
    void putWhileTakersWaitHandsTheItemToTheLongestTakerNotToANonBlockingPoll() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>();
            ThredoThread<String> taker = Thredo.spawn("taker", q::take);
            awaitBlocked(k, taker, "Queue.take");
            q.put("x");
            assertNull(q.poll(), "handed to the waiting taker");
            assertEquals("x", taker.join());
        });
    }

    // ---- timed offer and poll ----

    @Test
    void timedOfferOnFullQueueReturnsFalseAndInsertsNothing() throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>(1);
            q.put("a");
            long start = System.nanoTime();
            assertFalse(q.offer("b", 50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited its time");
            assertEquals("a", q.take());
            assertNull(q.poll(), "the expired offer was not admitted into the freed room");
            return null;
        });
    }

    @Test
    void timedPollOnEmptyQueueReturnsNullAndRemovesNothing() throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>();
            long start = System.nanoTime();
            assertNull(q.poll(50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited its time");
            q.put("later");
            assertEquals(List.of("later"), drain(q), "the expired poll did not take the next item");
            return null;
        });
    }

    @Test
    void timedOfferSucceedsWhenRoomAppearsInTime() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(1);
            q.put("a");
            ThredoThread<Boolean> putter = Thredo.spawn("putter", () -> q.offer("b", 10, TimeUnit.SECONDS));
            awaitBlocked(k, putter, "Queue.put");
            assertEquals("a", q.take());
            assertTrue(putter.join());
            assertEquals(List.of("b"), drain(q));
        });
    }

    @Test
    void timedPollReturnsAnItemPutInTime() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>();
            ThredoThread<String> taker = Thredo.spawn("taker", () -> q.poll(10, TimeUnit.SECONDS));
            awaitBlocked(k, taker, "Queue.take");
            q.put("x");
            assertEquals("x", taker.join());
        });
    }

    // ---- did-not-happen under timeoutAfter, and the hand-off race ----

    @Test
    void takeTimedOutByTimeoutAfterGetsThreadTimeoutAndRemovesNothing() throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>();
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> q.take()));
            q.put("later");
            assertEquals(List.of("later"), drain(q));
            return null;
        });
    }

    @Test
    void putTimedOutByTimeoutAfterGetsThreadTimeoutAndInsertsNothing() throws Exception {
        Thredo.run(() -> {
            Queue<String> q = new Queue<>(1);
            q.put("a");
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> q.put("b")));
            assertEquals("a", q.take());
            assertTrue(q.isEmpty(), "the timed-out put was not admitted into the freed room");
            q.taskDone();
            assertThrows(IllegalStateException.class, q::taskDone, "the timed-out put did not count as unfinished");
            return null;
        });
    }

    @Test
    void takerHandedAnItemBeforeSeeingItsCancellationReturnsIt() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>();
            Event cancelRequested = new Event();
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            ThredoThread<Void> taker = Thredo.spawn("taker", () -> {
                order.add("took " + q.take());
                Thredo.shield(() -> cancelRequested.await());
                try {
                    Thredo.sleep(Duration.ZERO);
                } catch (ThreadCancelled e) {
                    order.add("cancel pending");
                    throw e;
                }
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

    @Test
    void putterAdmittedBeforeSeeingItsCancellationReturnsNormally() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>(1);
            q.put("a");
            Event cancelRequested = new Event();
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            ThredoThread<Void> putter = Thredo.spawn("putter", () -> {
                q.put("b");
                order.add("put returned");
                Thredo.shield(() -> cancelRequested.await());
                try {
                    Thredo.sleep(Duration.ZERO);
                } catch (ThreadCancelled e) {
                    order.add("cancel pending");
                    throw e;
                }
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

    @Test
    void cancelledTakerIsSkippedAndTheItemGoesToTheNextTaker() throws Exception {
        inKernel(k -> {
            Queue<String> q = new Queue<>();
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

    @Test
    void plainThreadInterruptedInTakeGetsThreadCancelledAndRemovesNothing() throws Exception {
        Queue<String> q = new Queue<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("plain-taker").start(() -> {
            try {
                q.take();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        awaitParkedIn(t, "dev.thredo.Queue.take");
        t.interrupt();
        t.join();
        assertInstanceOf(ThreadCancelled.class, thrown.get());
        q.put("later");
        assertEquals(List.of("later"), drain(q));
    }

    @Test
    void plainThreadInterruptedInPutGetsThreadCancelledAndInsertsNothing() throws Exception {
        Queue<String> q = new Queue<>(1);
        q.put("a");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("plain-putter").start(() -> {
            try {
                q.put("b");
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        awaitParkedIn(t, "dev.thredo.Queue.put");
        t.interrupt();
        t.join();
        assertInstanceOf(ThreadCancelled.class, thrown.get());
        assertEquals(List.of("a"), drain(q));
        assertNull(q.poll());
    }

    @Test
    void plainProducerFeedsThredoConsumers() throws Exception {
        Queue<Integer> q = new Queue<>(2);
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
}
