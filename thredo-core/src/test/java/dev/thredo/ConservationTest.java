package dev.thredo;

import static dev.thredo.testing.TestKernels.inKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reliability under chaos (DESIGN §5, §3.6, §6 pitfall 3): per primitive, thousands of operations
 * by several thredo threads while a chaos thread cancels random workers (which are then replaced
 * until the operation budget is spent) and many waits run under timeouts of a few hundred
 * microseconds ({@code timeoutAfter}, {@code ignoreAfter}, the JDK-style timed methods). Checked:
 * mutual exclusion is never violated, every permit and lock comes back, every queue item put is
 * taken exactly once and an item whose put threw is never seen, no signal is lost, and nothing is
 * left parked (each test ends within its bound with no live thread in its kernel).
 *
 * <p>Each test has a fixed seed, printed with its statistics; {@code -Dthredo.chaos.seed=N} replaces
 * it. The seed fixes every random choice, not the thread interleaving. The operation budgets (and
 * the soft time cap) are ten times larger in the heavy run ({@link Stress}); each run prints
 * one {@code [stress] chaos <primitive>:} line with what it checked. Every test runs in both fairness
 * modes (non-fair, the default, and fair; "-fair" in the report line).
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConservationTest {
    /** Whatever the operation count, a run stops being extended past this (a slow machine). */
    private static final long SOFT_CAP_NANOS = TimeUnit.SECONDS.toNanos(Stress.size(6, 90));
    private static final long QUIESCENCE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long the end of a run (workers finishing, cancelled workers ending) may take before it counts as a hang. */
    private static final Duration END_LIMIT = Duration.ofSeconds(15);
    /** A whole run: up to the soft cap, then its end. */
    private static final Duration RUN_LIMIT = END_LIMIT.plusNanos(SOFT_CAP_NANOS);

    // ---- the harness ----

    /** One operation of a worker; it may throw ThreadCancelled (the worker then ends). */
    interface Op {
        void run(SplittableRandom rnd);
    }

    /**
     * Workers (one per role slot) run operations until the shared budget is spent; a chaos thread
     * meanwhile cancels a random worker every few hundred microseconds, waits for it to end, and
     * replaces it with a fresh one of the same role while budget remains.
     */
    static final class ChaosRun {
        final String name;
        final long seed;
        final AtomicInteger opsLeft;
        final List<Op> roles;
        final AtomicReferenceArray<ThredoThread<Void>> slots;
        final ConcurrentLinkedQueue<ThredoThread<Void>> everyWorker = new ConcurrentLinkedQueue<>();
        final AtomicInteger cancels = new AtomicInteger();
        final LongAdder opsRun = new LongAdder();
        volatile boolean softCapHit;
        private ThredoThread<Void> chaos;
        private final long startNanos = System.nanoTime();

        ChaosRun(String name, long defaultSeed, int ops, List<Op> roles) {
            this.name = name;
            this.seed = Long.getLong("thredo.chaos.seed", defaultSeed);
            this.opsLeft = new AtomicInteger(ops);
            this.roles = roles;
            this.slots = new AtomicReferenceArray<>(roles.size());
        }

        /** Starts the workers and the chaos thread; call from a thredo thread. */
        void start() {
            SplittableRandom master = new SplittableRandom(seed);
            for (int i = 0; i < roles.size(); i++) {
                slots.set(i, spawnWorker(i, master.nextLong()));
            }
            long chaosSeed = master.nextLong();
            chaos = Thredo.spawn(name + "-chaos", () -> chaos(new SplittableRandom(chaosSeed)));
        }

        private ThredoThread<Void> spawnWorker(int slot, long workerSeed) {
            Op op = roles.get(slot);
            ThredoThread<Void> w = Thredo.spawn(name + "-worker-" + slot, () -> {
                SplittableRandom rnd = new SplittableRandom(workerSeed);
                while (opsLeft.getAndDecrement() > 0) {
                    op.run(rnd);
                    opsRun.increment();
                }
            });
            everyWorker.add(w);
            return w;
        }

        private void chaos(SplittableRandom rnd) {
            while (opsLeft.get() > 0) {
                if (System.nanoTime() - startNanos - SOFT_CAP_NANOS > 0) {
                    softCapHit = true;
                    opsLeft.set(0);
                    return;
                }
                Thredo.sleep(Duration.ofNanos(rnd.nextLong(100_000, 1_500_000)));
                int i = rnd.nextInt(slots.length());
                ThredoThread<Void> victim = slots.get(i);
                if (victim.requestCancel()) {
                    cancels.incrementAndGet();
                }
                victim.await();
                long workerSeed = rnd.nextLong();
                if (opsLeft.get() > 0) {
                    slots.set(i, spawnWorker(i, workerSeed));
                }
            }
        }

        /** Waits for the chaos thread: no cancellation comes after this, and no worker is replaced. */
        void awaitChaosEnd() {
            chaos.join();
        }

        /** Waits for the current worker of every slot whose role is {@code role}. */
        void awaitWorkers(Op role) {
            for (int i = 0; i < slots.length(); i++) {
                if (roles.get(i) == role) {
                    slots.get(i).await();
                }
            }
        }

        /** Whether the current worker of every slot whose role is {@code role} has ended. */
        boolean workersDone(Op role) {
            for (int i = 0; i < slots.length(); i++) {
                if (roles.get(i) == role && !slots.get(i).isDone()) {
                    return false;
                }
            }
            return true;
        }

        void awaitAllWorkers() {
            for (int i = 0; i < slots.length(); i++) {
                slots.get(i).await();
            }
        }

        /** Cancels every worker still running (e.g. parked in a take no producer will satisfy). */
        void cancelAllWorkers() {
            for (int i = 0; i < slots.length(); i++) {
                slots.get(i).cancel();
            }
        }

        /** Every worker ever run either succeeded or died of a plain ThreadCancelled; nothing else. */
        void assertNoWorkerFailed() {
            for (ThredoThread<Void> w : everyWorker) {
                switch (w.outcome()) {
                    case SUCCEEDED -> { }
                    case CANCELLED -> {
                        Throwable e = w.exceptionNow();
                        if (e.getClass() != ThreadCancelled.class) {
                            throw new AssertionError(w.name() + " was cancelled but died of " + e, e);
                        }
                    }
                    default -> throw new AssertionError(w.name() + " ended " + w.outcome(),
                            w.outcome() == Outcome.FAILED ? w.exceptionNow() : null);
                }
            }
        }

        /**
         * Runs the end-of-run {@code checks}, then prints the run's {@code [stress]} line with
         * {@code stats} and whether the checks failed.
         */
        void check(String stats, Runnable checks) {
            boolean failed = true;
            try {
                checks.run();
                failed = false;
            } finally {
                Stress.report("chaos " + name, "ops=" + opsRun.sum() + " " + stats + " workers=" + roles.size()
                        + " spawned=" + everyWorker.size() + " cancels=" + cancels.get() + " seed=" + seed
                        + (softCapHit ? " softCapHit=true" : ""), failed ? 1 : 0, startNanos);
            }
        }
    }

    /**
     * Runs {@code step} under a deadline; if it expires, fails with what every live thread of
     * {@code k} is blocked on (a waiter parked forever, a lock that never came back).
     */
    private static void within(Kernel k, Duration limit, String what, Runnable step) {
        if (!Thredo.ignoreAfter(limit, step::run)) {
            StringBuilder sb = new StringBuilder(what + " did not finish within " + limit + "; live threads:");
            for (ThreadInfo t : k.threads()) {
                sb.append("\n  #").append(t.id()).append(' ').append(t.name()).append(' ').append(t.state())
                        .append(" blockedOn=").append(t.blockedOn());
            }
            fail(sb.toString());
        }
    }

    /**
     * {@code op} preceded by a random pause of up to {@code maxPauseMicros} (a cancellation point
     * too), so that one role cannot spend the whole budget before the others and the chaos run.
     */
    private static Op paced(long minPauseMicros, long maxPauseMicros, Op op) {
        return rnd -> {
            Thredo.sleep(Duration.ofNanos(1_000 * rnd.nextLong(minPauseMicros, maxPauseMicros + 1)));
            op.run(rnd);
        };
    }

    /** A random short timeout: a few hundred microseconds. */
    private static Duration shortTimeout(SplittableRandom rnd) {
        return Duration.ofNanos(rnd.nextLong(100_000, 600_000));
    }

    /** Takes {@code lock} in one of its ways, several of them under a short timeout; whether it got it. */
    private static boolean acquire(java.util.concurrent.locks.Lock lock, SplittableRandom rnd, LongAdder timeouts) {
        Duration d = shortTimeout(rnd);
        boolean got = switch (rnd.nextInt(6)) {
            case 0, 1 -> {
                lock.lock();
                yield true;
            }
            case 2 -> lock.tryLock();
            case 3 -> switch (lock) { // thredo's timed tryLock declares no InterruptedException
                case Lock l -> l.tryLock(d.toNanos(), TimeUnit.NANOSECONDS);
                case ReentrantLock r -> r.tryLock(d.toNanos(), TimeUnit.NANOSECONDS);
                default -> throw new IllegalArgumentException(lock.toString());
            };
            case 4 -> Thredo.ignoreAfter(d, () -> lock.lock());
            default -> {
                try {
                    Thredo.timeoutAfter(d, () -> lock.lock());
                    yield true;
                } catch (ThreadTimeout e) {
                    yield false;
                }
            }
        };
        if (!got) {
            timeouts.increment();
        }
        return got;
    }

    /** Tracks how many threads are inside a guarded region at once. */
    static final class Occupancy {
        final int allowed;
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger violations = new AtomicInteger();

        Occupancy(int allowed) {
            this.allowed = allowed;
        }

        void enter() {
            int n = inside.incrementAndGet();
            max.accumulateAndGet(n, Math::max);
            if (n > allowed) {
                violations.incrementAndGet();
            }
        }

        void leave() {
            inside.decrementAndGet();
        }

        void assertNeverExceeded() {
            assertEquals(0, violations.get(), "times more than " + allowed + " thread(s) were inside");
            assertTrue(max.get() <= allowed, "max inside " + max.get());
            assertEquals(0, inside.get());
        }

        @Override
        public String toString() {
            return "maxInside=" + max.get() + "/" + allowed;
        }
    }

    /** The body of a guarded region: sometimes a cancellation point, sometimes long enough to make waiters time out. */
    private static void guardedWork(Occupancy occ, SplittableRandom rnd) {
        occ.enter();
        try {
            switch (rnd.nextInt(8)) {
                case 0 -> Thredo.sleep(Duration.ZERO); // a cancellation point while holding
                case 1 -> Thredo.sleep(Duration.ofNanos(rnd.nextLong(50_000, 300_000)));
                case 2, 3 -> Thread.yield();
                default -> { }
            }
        } finally {
            occ.leave();
        }
    }

    // ---- locks and semaphores ----

    @EachFairness
    void lockKeepsMutualExclusionAndComesBackUnlockedUnderChaos(boolean fair) throws Exception {
        Lock lock = new Lock(fair);
        Occupancy occ = new Occupancy(1);
        LongAdder acquired = new LongAdder();
        LongAdder missed = new LongAdder();
        Op op = rnd -> {
            if (acquire(lock, rnd, missed)) {
                acquired.increment();
                try {
                    guardedWork(occ, rnd);
                } finally {
                    lock.unlock();
                }
            }
        };
        ChaosRun run = new ChaosRun("lock" + (fair ? "-fair" : ""), 0x10C4L, Stress.size(40_000, 400_000), List.of(op, op, op, op));
        inKernel(k -> {
            run.start();
            within(k, RUN_LIMIT, "the run", () -> {
                run.awaitChaosEnd();
                run.awaitAllWorkers();
            });
        });
        run.check("acquired=" + acquired.sum() + " missed=" + missed.sum() + " " + occ, () -> {
            run.assertNoWorkerFailed();
            occ.assertNeverExceeded();
            assertFalse(lock.isLocked(), "the lock came back");
            assertTrue(lock.tryLock(), "and nobody is queued for it");
            lock.unlock();
            assertTrue(run.cancels.get() > 0, "the chaos thread cancelled someone");
        });
    }

    @EachFairness
    void reentrantLockKeepsMutualExclusionAndItsHoldCountsUnderChaos(boolean fair) throws Exception {
        ReentrantLock lock = new ReentrantLock(fair);
        Occupancy occ = new Occupancy(1);
        AtomicInteger holdErrors = new AtomicInteger();
        LongAdder acquired = new LongAdder();
        LongAdder missed = new LongAdder();
        Op op = rnd -> {
            if (!acquire(lock, rnd, missed)) {
                if (lock.isHeldByCurrentThread()) {
                    holdErrors.incrementAndGet(); // an acquire that failed left a hold behind
                }
                return;
            }
            acquired.increment();
            int holds = 1;
            try {
                if (!lock.isHeldByCurrentThread() || lock.getHoldCount() != 1) {
                    holdErrors.incrementAndGet();
                }
                for (int extra = rnd.nextInt(3); extra > 0; extra--) {
                    lock.lock(); // re-entry never waits
                    holds++;
                }
                if (lock.getHoldCount() != holds) {
                    holdErrors.incrementAndGet();
                }
                guardedWork(occ, rnd);
            } finally {
                for (; holds > 0; holds--) {
                    lock.unlock();
                }
            }
            if (lock.isHeldByCurrentThread()) {
                holdErrors.incrementAndGet();
            }
        };
        ChaosRun run = new ChaosRun("reentrant-lock" + (fair ? "-fair" : ""), 0x2E3L, Stress.size(40_000, 400_000), List.of(op, op, op, op));
        inKernel(k -> {
            run.start();
            within(k, RUN_LIMIT, "the run", () -> {
                run.awaitChaosEnd();
                run.awaitAllWorkers();
            });
        });
        run.check("acquired=" + acquired.sum() + " missed=" + missed.sum() + " " + occ, () -> {
            run.assertNoWorkerFailed();
            occ.assertNeverExceeded();
            assertEquals(0, holdErrors.get(), "hold counts were wrong");
            assertFalse(lock.isLocked(), "the lock came back");
            assertTrue(lock.tryLock(), "and nobody is queued for it");
            lock.unlock();
            assertTrue(run.cancels.get() > 0, "the chaos thread cancelled someone");
        });
    }

    @EachFairness
    void semaphoreNeverAdmitsMoreThanItsPermitsAndGetsThemAllBackUnderChaos(boolean fair) throws Exception {
        int permits = 2;
        BoundedSemaphore sem = new BoundedSemaphore(permits, fair); // a double release would throw
        Occupancy occ = new Occupancy(permits);
        LongAdder acquired = new LongAdder();
        LongAdder missed = new LongAdder();
        Op op = rnd -> {
            Duration d = shortTimeout(rnd);
            boolean got = switch (rnd.nextInt(6)) {
                case 0, 1 -> {
                    sem.acquire();
                    yield true;
                }
                case 2 -> sem.tryAcquire();
                case 3 -> sem.tryAcquire(d.toNanos(), TimeUnit.NANOSECONDS);
                case 4 -> Thredo.ignoreAfter(d, () -> sem.acquire());
                default -> {
                    try {
                        Thredo.timeoutAfter(d, () -> sem.acquire());
                        yield true;
                    } catch (ThreadTimeout e) {
                        yield false;
                    }
                }
            };
            if (!got) {
                missed.increment();
                return;
            }
            acquired.increment();
            try {
                guardedWork(occ, rnd);
            } finally {
                sem.release();
            }
        };
        ChaosRun run = new ChaosRun("semaphore" + (fair ? "-fair" : ""), 0x5E3AL, Stress.size(40_000, 400_000), List.of(op, op, op, op, op, op));
        inKernel(k -> {
            run.start();
            within(k, RUN_LIMIT, "the run", () -> {
                run.awaitChaosEnd();
                run.awaitAllWorkers();
            });
        });
        run.check("acquired=" + acquired.sum() + " missed=" + missed.sum() + " " + occ, () -> {
            run.assertNoWorkerFailed();
            occ.assertNeverExceeded();
            assertEquals(permits, sem.availablePermits(), "every permit came back");
            assertTrue(run.cancels.get() > 0, "the chaos thread cancelled someone");
        });
    }

    // ---- conditions ----

    /** Tokens produced and consumed under the condition's lock. */
    static final class TokenBox {
        int tokens;
        long produced;
        long consumed;
    }

    private static void conditionUnderChaos(String name, long seed, java.util.concurrent.locks.Lock lock) throws Exception {
        Condition cond = new Condition(lock);
        BooleanSupplier heldByMe = lock instanceof ReentrantLock r ? r::isHeldByCurrentThread : ((Lock) lock)::isLocked;
        TokenBox box = new TokenBox();
        Occupancy occ = new Occupancy(1);
        AtomicInteger notHeldAfterAwait = new AtomicInteger();
        LongAdder awaitTimeouts = new LongAdder();
        LongAdder missed = new LongAdder();

        // Producers are slower than consumers, so that consumers wait on the condition most of the time.
        Op producer = paced(100, 500, rnd -> {
            if (!acquire(lock, rnd, missed)) {
                return;
            }
            try {
                occ.enter();
                try {
                    if (rnd.nextInt(4) == 0) {
                        Thredo.sleep(Duration.ZERO);
                    }
                    box.tokens++;
                    box.produced++;
                    if (rnd.nextInt(8) == 0) {
                        cond.signalAll();
                    } else {
                        cond.signal();
                    }
                } finally {
                    occ.leave();
                }
            } finally {
                lock.unlock();
            }
        });

        Op consumer = paced(0, 50, rnd -> {
            if (!acquire(lock, rnd, missed)) {
                return;
            }
            int holds = 1;
            if (lock instanceof ReentrantLock && rnd.nextBoolean()) {
                lock.lock();
                holds = 2;
            }
            int expectedHolds = holds;
            BooleanSupplier heldRight = () -> heldByMe.getAsBoolean()
                    && (!(lock instanceof ReentrantLock r) || r.getHoldCount() == expectedHolds);
            occ.enter();
            boolean in = true;
            try {
                while (box.tokens == 0) {
                    occ.leave();
                    in = false;
                    boolean timedOut;
                    try {
                        timedOut = !awaitOnce(cond, rnd);
                    } catch (ThreadCancelled e) { // a cancellation or a ThreadTimeout: the lock must be held again
                        if (!heldRight.getAsBoolean()) {
                            notHeldAfterAwait.incrementAndGet();
                        }
                        occ.enter();
                        in = true;
                        if (e instanceof ThreadTimeout) {
                            awaitTimeouts.increment();
                            return;
                        }
                        throw e;
                    }
                    if (!heldRight.getAsBoolean()) {
                        notHeldAfterAwait.incrementAndGet();
                    }
                    occ.enter();
                    in = true;
                    if (timedOut && box.tokens == 0) {
                        awaitTimeouts.increment();
                        return; // gives up; a signal it got is never dropped: the loop re-checks first
                    }
                }
                box.tokens--;
                box.consumed++;
            } finally {
                if (in) {
                    occ.leave();
                }
                for (; holds > 0; holds--) {
                    lock.unlock();
                }
            }
        });

        ChaosRun run = new ChaosRun(name, seed, Stress.size(24_000, 240_000), List.of(producer, producer, consumer, consumer, consumer));
        inKernel(k -> {
            run.start();
            within(k, RUN_LIMIT, "the run", () -> {
                run.awaitChaosEnd();
                run.awaitWorkers(producer);
            });
            // Quiescence: no consumer may stay queued on the condition while tokens are left (a lost signal).
            long limit = System.nanoTime() + QUIESCENCE_LIMIT_NANOS;
            for (;;) {
                lock.lock();
                int tokens;
                boolean waiting;
                try {
                    tokens = box.tokens;
                    waiting = cond.hasWaiters();
                } finally {
                    lock.unlock();
                }
                if (tokens == 0 || !waiting) {
                    break;
                }
                if (System.nanoTime() - limit > 0) {
                    fail(name + ": " + tokens + " token(s) left while consumers still wait on the condition: a signal was lost");
                }
                LockSupport.parkNanos(1_000_000);
            }
            within(k, END_LIMIT, "cancelling the workers", run::cancelAllWorkers); // consumers parked in await
        });
        run.check("produced=" + box.produced + " consumed=" + box.consumed + " left=" + box.tokens
                + " awaitTimeouts=" + awaitTimeouts.sum() + " lockMissed=" + missed.sum() + " " + occ, () -> {
            run.assertNoWorkerFailed();
            occ.assertNeverExceeded();
            assertEquals(0, notHeldAfterAwait.get(), "an await returned or threw without the lock (and its holds) re-taken");
            assertTrue(box.tokens >= 0);
            assertEquals(box.produced - box.consumed, box.tokens);
            assertTrue(lock.tryLock(), "the lock came back");
            lock.unlock();
            assertFalse(cond.hasWaiters(), "no waiter left queued");
            assertTrue(run.cancels.get() > 0, "the chaos thread cancelled someone");
        });
    }

    /** One wait on {@code cond} in one of its ways; {@code false} if its own time limit passed. */
    private static boolean awaitOnce(Condition cond, SplittableRandom rnd) {
        Duration d = shortTimeout(rnd);
        return switch (rnd.nextInt(5)) {
            case 0 -> {
                cond.await();
                yield true;
            }
            case 1 -> cond.awaitNanos(d.toNanos()) > 0;
            case 2 -> cond.await(d.toNanos(), TimeUnit.NANOSECONDS);
            case 3 -> {
                Thredo.timeoutAfter(d, () -> cond.await()); // ThreadTimeout when it expires
                yield true;
            }
            default -> Thredo.ignoreAfter(d, () -> cond.await());
        };
    }

    @EachFairness
    void conditionOnLockKeepsExclusionReacquiresAndLosesNoSignalUnderChaos(boolean fair) throws Exception {
        conditionUnderChaos("condition-lock" + (fair ? "-fair" : ""), 0xC0DL, new Lock(fair));
    }

    @EachFairness
    void conditionOnReentrantLockKeepsExclusionRestoresHoldsAndLosesNoSignalUnderChaos(boolean fair) throws Exception {
        conditionUnderChaos("condition-reentrant-lock" + (fair ? "-fair" : ""), 0xC0D2L, new ReentrantLock(fair));
    }

    // ---- queues ----

    @EachFairness
    void queueHandsEveryItemPutToExactlyOneTakerAndNoneWhosePutThrewUnderChaos(boolean fair) throws Exception {
        Queue<Long> q = new Queue<>(4, fair);
        AtomicLong nextItem = new AtomicLong();
        Set<Long> putOk = ConcurrentHashMap.newKeySet();
        Set<Long> putFailed = ConcurrentHashMap.newKeySet();
        Set<Long> taken = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<Long> duplicates = new ConcurrentLinkedQueue<>();
        LongAdder putTimeouts = new LongAdder();
        LongAdder takeTimeouts = new LongAdder();

        Op producer = paced(0, 300, rnd -> {
            long item = nextItem.incrementAndGet();
            Duration d = shortTimeout(rnd);
            boolean ok;
            try {
                ok = switch (rnd.nextInt(6)) {
                    case 0, 1 -> {
                        q.put(item);
                        yield true;
                    }
                    case 2 -> q.offer(item);
                    case 3 -> q.offer(item, d.toNanos(), TimeUnit.NANOSECONDS);
                    case 4 -> Thredo.ignoreAfter(d, () -> q.put(item));
                    default -> {
                        try {
                            Thredo.timeoutAfter(d, () -> q.put(item));
                            yield true;
                        } catch (ThreadTimeout e) {
                            yield false;
                        }
                    }
                };
            } catch (ThreadCancelled e) {
                putFailed.add(item); // the did-not-happen rule: it must never be taken
                throw e;
            }
            if (ok) {
                putOk.add(item);
            } else {
                putTimeouts.increment();
                putFailed.add(item);
            }
        });

        Op consumer = paced(0, 300, rnd -> {
            Duration d = shortTimeout(rnd);
            List<Long> got = new ArrayList<>(3);
            switch (rnd.nextInt(7)) {
                case 0, 1 -> got.add(q.take());
                case 2 -> got.add(q.poll());
                case 3 -> got.add(q.poll(d.toNanos(), TimeUnit.NANOSECONDS));
                case 4 -> got.add(Thredo.ignoreAfter(d, () -> q.take()).orElse(null));
                case 5 -> {
                    try {
                        got.add(Thredo.timeoutAfter(d, () -> q.take()));
                    } catch (ThreadTimeout e) {
                        got.add(null);
                    }
                }
                default -> q.drainTo(got, 1 + rnd.nextInt(3));
            }
            for (Long item : got) {
                if (item == null) {
                    takeTimeouts.increment();
                } else {
                    if (!taken.add(item)) {
                        duplicates.add(item);
                    }
                    q.taskDone();
                }
            }
        });

        ChaosRun run = new ChaosRun("queue" + (fair ? "-fair" : ""), 0x0E0EL, Stress.size(40_000, 400_000), List.of(producer, producer, producer, consumer, consumer, consumer));
        List<Long> left = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean joined = new java.util.concurrent.atomic.AtomicBoolean();
        inKernel(k -> {
            run.start();
            within(k, RUN_LIMIT, "the run", () -> {
                run.awaitChaosEnd();
                // The budget is shared: the consumers may all have spent it while a producer still
                // blocks in put on a full queue. Take for them until every producer has ended.
                while (!run.workersDone(producer)) {
                    Long item = q.poll(1, TimeUnit.MILLISECONDS);
                    if (item != null) {
                        left.add(item);
                        q.taskDone();
                    }
                }
            });
            within(k, END_LIMIT, "cancelling the workers", run::cancelAllWorkers); // consumers parked in take
            int drainedBefore = left.size();
            q.drainTo(left);
            for (int i = drainedBefore; i < left.size(); i++) {
                q.taskDone();
            }
            joined.set(Thredo.ignoreAfter(Duration.ofSeconds(5), q::join));
        });
        run.check("put=" + putOk.size() + " putFailed=" + putFailed.size() + " putTimeouts=" + putTimeouts.sum()
                + " taken=" + taken.size() + " left=" + left.size() + " takeMisses=" + takeTimeouts.sum(), () -> {
            run.assertNoWorkerFailed();
            assertEquals(List.of(), new ArrayList<>(duplicates), "items taken twice");
            Set<Long> seen = new HashSet<>(taken);
            for (Long item : left) {
                assertTrue(seen.add(item), "item both taken and left in the queue: " + item);
            }
            Set<Long> ghosts = new HashSet<>(seen);
            ghosts.retainAll(putFailed);
            assertEquals(Set.of(), ghosts, "items whose put threw or timed out were delivered");
            Set<Long> lost = new HashSet<>(putOk);
            lost.removeAll(seen);
            assertEquals(Set.of(), lost, "items put but never taken nor left in the queue");
            assertEquals(putOk, seen);
            assertTrue(q.isEmpty());
            assertTrue(joined.get(), "Queue.join did not return after a taskDone for every item taken");
            assertNothingUnfinished(q);
            assertTrue(run.cancels.get() > 0, "the chaos thread cancelled someone");
        });
    }

    /** One taskDone more than items put must be refused: the unfinished count is exact. */
    private static void assertNothingUnfinished(Queue<Long> q) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, q::taskDone);
    }
}
