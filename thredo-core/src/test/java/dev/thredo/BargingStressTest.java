package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Barging (the non-fair default, DESIGN §3.6 rev. 2) under cancellation: running "barger" threads
 * take and give back a non-fair lock or semaphore in a tight loop, so a freed resource is usually
 * taken by a barger before the parked waiter it woke can retry, while "waiter" threads block in
 * {@code lock()}/{@code acquire()} and a chaos thread cancels random waiters, often right around a
 * release that woke them.
 *
 * <p>Checked: (1) barging never hands a resource to a cancelled waiter: a wait that ended in
 * {@link ThreadCancelled} left the waiter holding nothing, never more threads are inside than the
 * resource admits, and at the end every permit is back and nobody is queued; (2) no waiter starves:
 * the bound stated here is that, while capacity + 2 bargers each hold the resource about 3 µs, then
 * spend about 1 µs outside it and yield their carrier (so that they also park, on each other),
 * every wait that was not cancelled ends within
 * {@link #STARVATION_BOUND} (generous: it catches a woken waiter that keeps losing forever or a lost
 * wake-up, not a slow machine; the longest wait is reported in the {@code [stress]} line). Like the
 * JDK's non-fair locks, barging gives no bound when running threads never block: a spinning virtual
 * thread that only yields is re-run from its carrier's local queue ahead of threads woken by a timer
 * or an unpark, so a woken waiter then rarely gets a carrier at all; that case is what fair mode is for.
 *
 * <p>The bargers and the chaos thread are platform threads, whom the operating system preempts. Virtual bargers that only
 * yield starve every virtual thread woken by a timer (the chaos thread's sleep, the test's own time
 * limit) as soon as they can occupy all carriers, as with two permits on two cores: measured on JDK 25,
 * four virtual threads taking turns on a {@code java.util.concurrent.Semaphore(2)} with a yield between
 * rounds gave a virtual thread in a {@code Thread.sleep(1)} loop no wake-up in 5 s (thredo's semaphore
 * the same); virtual bargers that park for a moment instead are in turn starved by the waiters. That is
 * the scheduler's property, not the semaphore's, and this test is about the semaphore.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BargingStressTest {
    /** The longest an uncancelled waiter may wait while bargers hammer the resource. */
    private static final Duration STARVATION_BOUND = Duration.ofSeconds(5);
    private static final Duration END_LIMIT = Duration.ofSeconds(30);
    /**
     * The waits go on past their number until this many were cancelled: whether the chaos thread catches
     * a wait depends on the scheduler (on a quiet machine most waits are over within microseconds).
     */
    private static final int MIN_CANCELLED = 20;
    /** And until bargers took the resource this often while a waiter was inside its acquire. */
    private static final int MIN_BARGED = 100;

    /** A non-fair resource admitting {@code capacity} threads, behind one face. */
    record Resource(String name, int capacity, Runnable acquire, Runnable release, java.util.function.BooleanSupplier heldByMe,
            java.util.function.IntSupplier free) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The non-fair resources: the lock, and semaphores with one and with two permits. A semaphore has
     * no owner to ask, so for it a cancelled waiter that kept a permit shows as a permit missing at the
     * end (or as one thread too many inside).
     */
    static Stream<Arguments> resources() {
        ReentrantLock lock = new ReentrantLock();
        Semaphore one = new Semaphore(1);
        BoundedSemaphore two = new BoundedSemaphore(2);
        return Stream.of(
                Arguments.of(new Resource("ReentrantLock", 1, lock::lock, lock::unlock, lock::isHeldByCurrentThread,
                        () -> lock.isLocked() ? 0 : 1), 0xBA1L),
                Arguments.of(new Resource("Semaphore(1)", 1, one::acquire, one::release, () -> false, one::availablePermits),
                        0xBA2L),
                Arguments.of(new Resource("BoundedSemaphore(2)", 2, two::acquire, two::release, () -> false,
                        two::availablePermits), 0xBA3L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resources")
    void bargingNeverServesACancelledWaiterAndStarvesNoWaiter(Resource r, long defaultSeed) throws Exception {
        long seed = Long.getLong("thredo.chaos.seed", defaultSeed);
        int waits = Stress.size(4_000, 40_000);
        int waiters = 4;
        int bargers = r.capacity() + 2; // more than the resource admits, so that bargers park now and then too
        long start = System.nanoTime();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overfull = new AtomicInteger();
        AtomicInteger cancelledButHolding = new AtomicInteger();
        AtomicInteger waitsStarted = new AtomicInteger();
        AtomicBoolean waitsOver = new AtomicBoolean();
        LongAdder served = new LongAdder();
        LongAdder cancelled = new LongAdder();
        LongAdder bargerRounds = new LongAdder();
        LongAdder barged = new LongAdder();
        AtomicInteger waitersInside = new AtomicInteger(); // waiters between the call of acquire and its end
        ConcurrentLinkedQueue<Long> longWaits = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        long[] maxWaitNanos = new long[1];
        dev.thredo.testing.TestKernels.inKernel(k -> {
            // platform threads, see the class comment
            List<Thread> bargerThreads = new ArrayList<>();
            for (int b = 0; b < bargers; b++) {
                bargerThreads.add(Thread.ofPlatform().name("barger-" + b).start(() -> {
                    while (!stop.get()) {
                        r.acquire().run();
                        if (waitersInside.get() > 0) {
                            barged.increment();
                        }
                        enter(inside, overfull, r.capacity());
                        Stress.spin(3_000); // holds it a while, so that waiters park
                        inside.decrementAndGet();
                        r.release().run();
                        bargerRounds.increment();
                        Stress.spin(1_000);
                        Thread.yield();
                    }
                }));
            }
            ConcurrentLinkedQueue<ThredoThread<?>> live = new ConcurrentLinkedQueue<>();
            List<ThredoThread<?>> waiterThreads = new ArrayList<>();
            for (int w = 0; w < waiters; w++) {
                waiterThreads.add(Thredo.spawn("waiter-" + w, () -> {
                    // each round is its own thread, so the chaos thread can cancel exactly one wait
                    while (waitsStarted.get() < waits || cancelled.sum() < MIN_CANCELLED || barged.sum() < MIN_BARGED) {
                        waitsStarted.incrementAndGet();
                        ThredoThread<Void> one = Thredo.spawn("wait", () -> {
                            long t0 = System.nanoTime();
                            waitersInside.incrementAndGet();
                            try {
                                r.acquire().run();
                            } catch (ThreadCancelled e) {
                                cancelled.increment();
                                if (r.heldByMe().getAsBoolean()) {
                                    cancelledButHolding.incrementAndGet();
                                }
                                throw e;
                            } finally {
                                waitersInside.decrementAndGet();
                            }
                            long waited = System.nanoTime() - t0;
                            synchronized (maxWaitNanos) {
                                maxWaitNanos[0] = Math.max(maxWaitNanos[0], waited);
                            }
                            if (waited > STARVATION_BOUND.toNanos()) {
                                longWaits.add(waited);
                            }
                            try {
                                enter(inside, overfull, r.capacity());
                                inside.decrementAndGet();
                                served.increment();
                            } finally {
                                r.release().run();
                            }
                        });
                        live.add(one);
                        one.await();
                        live.remove(one);
                    }
                }));
            }
            // a platform thread too: a virtual one woken by its timer loses its carrier to the waiters' churn
            Thread chaos = Thread.ofPlatform().name("chaos").start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                while (!waitsOver.get()) {
                    LockSupport.parkNanos(rnd.nextLong(10_000, 200_000));
                    for (ThredoThread<?> t : live) {
                        // every live wait until one cancel has landed (on a quiet machine the waits are so
                        // short that a third of them could all be missed), then a random third
                        if (cancelled.sum() == 0 || rnd.nextInt(3) == 0) {
                            t.requestCancel();
                        }
                    }
                }
            });
            try {
                if (!Thredo.ignoreAfter(END_LIMIT.plusSeconds(Stress.size(30, 240)), () -> {
                    for (ThredoThread<?> w : waiterThreads) {
                        w.join();
                    }
                    waitsOver.set(true);
                    chaos.join();
                })) {
                    throw new AssertionError("the waiters did not finish (starved or parked forever): " + k.threads());
                }
            } finally {
                stop.set(true); // the bargers never wait once the waiters are gone: they must be told
            }
            for (Thread b : bargerThreads) {
                b.join();
            }
        });
        long failures = overfull.get() + cancelledButHolding.get() + longWaits.size();
        Stress.report("barging " + r.name(), "waits=" + waitsStarted.get() + " served=" + served.sum() + " cancelled=" + cancelled.sum()
                + " bargerRounds=" + bargerRounds.sum() + " barged=" + barged.sum() + " maxWaitMs=" + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos[0])
                + " starvationBoundMs=" + STARVATION_BOUND.toMillis() + " seed=" + seed, failures, start);
        assertEquals(0, overfull.get(), "more threads inside than the resource admits");
        assertEquals(0, cancelledButHolding.get(), "a waiter whose wait ended in ThreadCancelled held the resource");
        assertEquals(List.of(), new ArrayList<>(longWaits), "waits (ns) beyond the starvation bound");
        assertEquals(waitsStarted.get(), served.sum() + cancelled.sum(), "every wait was served or cancelled");
        assertTrue(cancelled.sum() >= MIN_CANCELLED && served.sum() >= waits - cancelled.sum(), "both endings happened");
        assertTrue(barged.sum() >= MIN_BARGED, "the bargers took the resource while waiters waited");
        assertEquals(r.capacity(), r.free().getAsInt(), "every permit came back: none was kept for a cancelled waiter");
    }

    private static void enter(AtomicInteger inside, AtomicInteger overfull, int capacity) {
        if (inside.incrementAndGet() > capacity) {
            overfull.incrementAndGet();
        }
    }
}
