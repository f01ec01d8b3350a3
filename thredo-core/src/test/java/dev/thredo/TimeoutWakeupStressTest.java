package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thredo.testing.TestKernels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A timeout (or a cancel) racing the wake-up of a parked waiter, on every blocking primitive
 * (stress; DESIGN §3.6 did-not-happen rule, §6 pitfall 3). In each round a waiter blocks in
 * the primitive under one of the ways a wait can end early ({@code timeoutAfter}, {@code ignoreAfter},
 * the JDK-style timed method, or a {@code requestCancel} sent around the wake-up), and the test's
 * main thread wakes it (unlock, release, put, take, signal, set). The waiter's time limit adapts
 * from round to round so that the expiry keeps landing on the wake-up: both endings happen often.
 *
 * <p>Checked in every round, from the primitive's state once the waiter has ended: a wait that
 * returned normally took effect (it holds the lock or the permit, it has the item, its item is in
 * the queue, it consumed the signal), and a wait that ended in a timeout, a {@code false}/{@code null}
 * or a {@code ThreadCancelled} did not (the lock, permit or item is still there for others, the
 * signal went to the next waiter). A waiter that was handed its lock, permit or item while being
 * cancelled returns normally and its cancellation stays pending (it ends {@code CANCELLED} at its next
 * blocking call instead of sleeping on). Every waiter ends within a bound: none is parked forever.
 * Every primitive with a fairness mode runs in both: fair (the wake-up hands over) and non-fair (the
 * wake-up frees the primitive and wakes the waiter, which retries).
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimeoutWakeupStressTest {
    private static final Duration END_LIMIT = Duration.ofSeconds(10);

    /** How the waiter's wait may end before the wake-up. */
    enum Mode { TIMEOUT_AFTER, IGNORE_AFTER, TIMED_METHOD, CANCEL }

    /** One primitive: a waiter's blocking operation, the wake-up that ends it, and the check of the state left. */
    abstract static class Race {
        final String name;
        long round;

        Race(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }

        /** Main thread, before the waiter starts: make the waiter's operation block. */
        void prepare() {
        }

        /** The waiter's blocking operation. */
        abstract void op();

        /** The JDK-style timed variant of {@link #op}; {@code false} (did not happen) when the time ran out. */
        abstract boolean timedOp(long nanos);

        /** The waiter, right after its attempt (normal or not); null or what is wrong. */
        String afterOp(boolean tookEffect) {
            return null;
        }

        /** Main thread, once the waiter is parked: anything else the round needs before the wake-up. */
        void waiterParked() {
        }

        /** Main thread: the wake-up. */
        abstract void wake();

        /** Main thread, after the waiter ended: null or what is wrong; leaves the primitive ready for the next round. */
        abstract String verify(boolean tookEffect);
    }

    // ---- the primitives ----

    /** A lock race: the main thread holds the lock, the waiter locks it, the wake-up is the main thread's unlock. */
    abstract static class HeldLockRace<L extends java.util.concurrent.locks.Lock> extends Race {
        final L lock;

        HeldLockRace(String name, L lock) {
            super(name);
            this.lock = lock;
        }

        @Override
        void prepare() {
            lock.lock();
        }

        @Override
        void op() {
            lock.lock();
        }

        @Override
        boolean timedOp(long nanos) {
            try {
                return lock.tryLock(nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) { // thredo's locks throw ThreadCancelled instead; never here
                throw new AssertionError(e);
            }
        }

        @Override
        void wake() {
            lock.unlock();
        }
    }

    /** {@link Lock} has no owner: the main thread sees whether the waiter took it and releases it for it. */
    static final class LockRace extends HeldLockRace<Lock> {
        LockRace(boolean fair) {
            super("Lock.lock" + mode(fair), new Lock(fair));
        }

        @Override
        String verify(boolean tookEffect) {
            if (lock.isLocked() != tookEffect) {
                return tookEffect ? "the waiter returned but does not hold the lock" : "the lock went to a waiter whose wait ended early";
            }
            if (tookEffect) {
                lock.unlock();
            }
            if (!lock.tryLock()) {
                return "the lock is not free for others";
            }
            lock.unlock();
            return null;
        }
    }

    /** {@link ReentrantLock} is owned: the waiter checks and releases its own hold. */
    static final class ReentrantLockRace extends HeldLockRace<ReentrantLock> {
        ReentrantLockRace(boolean fair) {
            super("ReentrantLock.lock" + mode(fair), new ReentrantLock(fair));
        }

        @Override
        String afterOp(boolean tookEffect) {
            boolean held = lock.isHeldByCurrentThread();
            if (held) {
                lock.unlock();
            }
            if (held != tookEffect) {
                return tookEffect ? "the waiter returned but does not own the lock" : "a waiter whose wait ended early owns the lock";
            }
            return null;
        }

        @Override
        String verify(boolean tookEffect) {
            if (lock.isLocked() || !lock.tryLock()) {
                return "the lock is not free for others";
            }
            lock.unlock();
            return null;
        }
    }

    static final class SemaphoreRace extends Race {
        final Semaphore sem;

        SemaphoreRace(boolean fair) {
            super("Semaphore.acquire" + mode(fair));
            sem = new Semaphore(0, fair);
        }

        @Override
        void op() {
            sem.acquire();
        }

        @Override
        boolean timedOp(long nanos) {
            return sem.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void wake() {
            sem.release();
        }

        @Override
        String verify(boolean tookEffect) {
            int expected = tookEffect ? 0 : 1;
            int left = sem.availablePermits();
            while (sem.tryAcquire()) {
                // back to zero for the next round
            }
            return left == expected ? null : "permits left " + left + ", expected " + expected;
        }
    }

    static final class TakeRace extends Race {
        final Queue<Long> q;
        volatile Long taken;

        TakeRace(boolean fair) {
            super("Queue.take" + mode(fair));
            q = new Queue<>(1, fair);
        }

        @Override
        void prepare() {
            taken = null;
        }

        @Override
        void op() {
            taken = q.take();
        }

        @Override
        boolean timedOp(long nanos) {
            taken = q.poll(nanos, TimeUnit.NANOSECONDS);
            return taken != null;
        }

        @Override
        void wake() {
            q.put(round);
        }

        @Override
        String verify(boolean tookEffect) {
            Long left = q.poll();
            if (tookEffect) {
                return taken != null && taken == round && left == null ? null
                        : "the waiter returned with " + taken + ", left in the queue " + left;
            }
            return taken == null && left != null && left == round ? null
                    : "a take that ended early removed the item (left " + left + ", taken " + taken + ")";
        }
    }

    static final class PutRace extends Race {
        final Queue<Long> q;

        PutRace(boolean fair) {
            super("Queue.put" + mode(fair));
            q = new Queue<>(1, fair);
        }

        @Override
        void prepare() {
            q.put(-round); // full: the waiter's put blocks
        }

        @Override
        void op() {
            q.put(round);
        }

        @Override
        boolean timedOp(long nanos) {
            return q.offer(round, nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void wake() {
            Long first = q.take();
            if (first != -round) {
                throw new AssertionError("round " + round + ": took " + first + " before the blocker");
            }
        }

        @Override
        String verify(boolean tookEffect) {
            Long left = q.poll();
            if (tookEffect) {
                return left != null && left == round && q.isEmpty() ? null : "the put returned but its item is not there: " + left;
            }
            return left == null ? null : "a put that ended early inserted " + left;
        }
    }

    /**
     * Two waiters on one condition, the racing one first in line and a plain one behind it; one
     * signal. Exactly one of them may consume it: the racing waiter returned normally, or the plain
     * one was woken.
     */
    static final class ConditionRace extends Race {
        final Lock lock;
        final Condition cond;
        boolean secondQueued; // guarded by lock
        ThredoThread<Void> second;

        ConditionRace(boolean fair) {
            super("Condition.await" + mode(fair));
            lock = new Lock(fair);
            cond = new Condition(lock);
        }

        @Override
        void op() {
            lock.lock();
            try {
                cond.await();
            } finally {
                if (!lock.isLocked()) {
                    throw new AssertionError("await left without the lock");
                }
                lock.unlock();
            }
        }

        @Override
        boolean timedOp(long nanos) {
            lock.lock();
            try {
                return cond.await(nanos, TimeUnit.NANOSECONDS);
            } finally {
                lock.unlock();
            }
        }

        @Override
        void waiterParked() {
            secondQueued = false;
            second = Thredo.spawn("second-waiter", () -> {
                lock.lock();
                try {
                    secondQueued = true;
                    cond.await();
                } finally {
                    lock.unlock();
                }
            });
        }

        @Override
        void wake() {
            for (;;) { // signal only once the second waiter is queued behind the first
                lock.lock();
                if (secondQueued) {
                    break;
                }
                lock.unlock();
                Thread.onSpinWait();
            }
            try {
                cond.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        String verify(boolean tookEffect) {
            boolean secondStillWaits;
            lock.lock();
            try {
                secondStillWaits = cond.hasWaiters();
                if (secondStillWaits) {
                    cond.signal();
                }
            } finally {
                lock.unlock();
            }
            if (!Thredo.ignoreAfter(END_LIMIT, second::await)) {
                return "the second waiter never woke: a signal was lost";
            }
            if (second.outcome() != Outcome.SUCCEEDED) {
                return "the second waiter ended " + second.outcome();
            }
            if (secondStillWaits != tookEffect) {
                return tookEffect ? "the signal woke both waiters" : "a wait that ended early consumed the signal";
            }
            return null;
        }
    }

    static final class EventRace extends Race {
        final Event event = new Event();

        EventRace() {
            super("Event.await");
        }

        @Override
        void prepare() {
            event.clear();
        }

        @Override
        void op() {
            event.await();
        }

        @Override
        boolean timedOp(long nanos) {
            return event.await(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void wake() {
            event.set();
        }

        @Override
        String verify(boolean tookEffect) {
            return event.isSet() ? null : "the event is not set";
        }
    }

    // ---- the harness ----

    /** Counts of one primitive's rounds. */
    static final class Tally {
        final long[] tookEffect = new long[Mode.values().length];
        final long[] didNotHappen = new long[Mode.values().length];
        final List<String> failures = new ArrayList<>();

        long rounds() {
            long n = 0;
            for (Mode m : Mode.values()) {
                n += tookEffect[m.ordinal()] + didNotHappen[m.ordinal()];
            }
            return n;
        }
    }

    private static void race(Race race, int rounds, long defaultSeed) throws Exception {
        long seed = Long.getLong("thredo.chaos.seed", defaultSeed);
        long start = System.nanoTime();
        Tally tally = new Tally();
        TestKernels.inKernel(k -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            Mode[] modes = Mode.values();
            long[] limitNanos = new long[modes.length];
            java.util.Arrays.fill(limitNanos, 50_000);
            for (int r = 0; r < rounds && tally.failures.size() < 10; r++) {
                race.round = r + 1;
                Mode mode = modes[rnd.nextInt(modes.length)];
                String problem = round(k, race, mode, limitNanos, rnd, tally);
                if (problem != null) {
                    tally.failures.add("round " + race.round + " (" + mode + "): " + problem);
                }
            }
        });
        StringBuilder figures = new StringBuilder("rounds=" + tally.rounds());
        long took = 0;
        long not = 0;
        for (Mode m : Mode.values()) {
            took += tally.tookEffect[m.ordinal()];
            not += tally.didNotHappen[m.ordinal()];
        }
        figures.append(" tookEffect=").append(took).append(" didNotHappen=").append(not);
        for (Mode m : Mode.values()) {
            figures.append(' ').append(m.name().toLowerCase(java.util.Locale.ROOT)).append('=')
                    .append(tally.tookEffect[m.ordinal()]).append('/').append(tally.didNotHappen[m.ordinal()]);
        }
        figures.append(" seed=").append(seed);
        Stress.report("timeout-vs-wakeup " + race.name, figures.toString(), tally.failures.size(), start);
        assertEquals(List.of(), tally.failures);
        assertEquals(rounds, tally.rounds());
        for (Mode m : Mode.values()) {
            if (race instanceof EventRace && m != Mode.CANCEL) {
                continue; // Event.await has no effect to undo; its rounds only check the wake-up and the bound
            }
            assertTrue(tally.tookEffect[m.ordinal()] > 0 && tally.didNotHappen[m.ordinal()] > 0,
                    race.name + " " + m + ": both endings raced (" + tally.tookEffect[m.ordinal()] + "/"
                            + tally.didNotHappen[m.ordinal()] + ")");
        }
    }

    /** One round; null or what went wrong. */
    private static String round(Kernel k, Race race, Mode mode, long[] limitNanos, SplittableRandom rnd, Tally tally) {
        race.prepare();
        long limit = limitNanos[mode.ordinal()];
        AtomicInteger result = new AtomicInteger(-1);
        AtomicBoolean resultSet = new AtomicBoolean();
        String[] afterOp = new String[1];
        ThredoThread<Void> w = Thredo.spawn("waiter-" + race.round, () -> {
            boolean took = false;
            try {
                took = attempt(race, mode, limit);
            } finally {
                result.set(took ? 1 : 0);
                resultSet.set(true);
                afterOp[0] = race.afterOp(took);
            }
            if (mode == Mode.CANCEL) {
                Thredo.sleep(Duration.ofSeconds(30)); // a pending cancellation ends this at once
            }
        });
        awaitParked(w.thread());
        race.waiterParked();
        boolean cancelAccepted = true;
        if (mode == Mode.CANCEL) {
            boolean cancelFirst = rnd.nextBoolean();
            long gap = rnd.nextInt(4) == 0 ? 0 : rnd.nextLong(0, 5_000);
            if (cancelFirst) {
                cancelAccepted = w.requestCancel();
                Stress.spin(gap);
                race.wake();
            } else {
                race.wake();
                Stress.spin(gap);
                cancelAccepted = w.requestCancel();
            }
        } else {
            race.wake();
        }
        if (!Thredo.ignoreAfter(END_LIMIT, w::await)) {
            w.cancel();
            return "the waiter did not end within " + END_LIMIT + " (parked forever, or its pending cancellation was lost)";
        }
        boolean took = result.get() == 1;
        if (took) {
            tally.tookEffect[mode.ordinal()]++;
        } else {
            tally.didNotHappen[mode.ordinal()]++;
        }
        if (mode != Mode.CANCEL) { // aim the next limit at this wake-up: shorter after a wake, longer after an expiry
            long step = Math.max(1_000, limit / 16);
            limitNanos[mode.ordinal()] = Math.clamp(took ? limit - step : limit + step, 0, 5_000_000);
        }
        if (!resultSet.get()) {
            return "the waiter ended (" + w.outcome() + ") without finishing its attempt";
        }
        Outcome expected = mode == Mode.CANCEL ? Outcome.CANCELLED : Outcome.SUCCEEDED;
        if (w.outcome() != expected || !cancelAccepted) {
            return "the waiter ended " + w.outcome() + " (cancel accepted: " + cancelAccepted + "), expected " + expected
                    + (w.outcome() == Outcome.FAILED ? ": " + w.exceptionNow() : "");
        }
        if (mode == Mode.CANCEL && !(w.exceptionNow() instanceof ThreadCancelled)) {
            return "the cancelled waiter died of " + w.exceptionNow();
        }
        if (afterOp[0] != null) {
            return afterOp[0];
        }
        return race.verify(took);
    }

    /** The waiter's attempt in {@code mode}; whether the operation took effect. */
    private static boolean attempt(Race race, Mode mode, long limitNanos) {
        Duration d = Duration.ofNanos(limitNanos);
        return switch (mode) {
            case TIMEOUT_AFTER -> {
                try {
                    Thredo.timeoutAfter(d, race::op);
                    yield true;
                } catch (ThreadTimeout e) {
                    yield false;
                }
            }
            case IGNORE_AFTER -> Thredo.ignoreAfter(d, race::op);
            case TIMED_METHOD -> race.timedOp(limitNanos);
            case CANCEL -> {
                race.op(); // ThreadCancelled: did not happen
                yield true;
            }
        };
    }

    private static int rounds() {
        return Stress.size(10_000, 100_000);
    }

    /** " (fair)" or " (non-fair)", for a race's name. */
    static String mode(boolean fair) {
        return fair ? " (fair)" : " (non-fair)";
    }

    /** Every primitive in both fairness modes (Event has none) with its seed; a fresh primitive per run. */
    static Stream<Arguments> primitives() {
        Stream<Arguments> withFairness = Stream.of(false, true).flatMap(fair -> Stream.of(
                Arguments.of(new LockRace(fair), 0x71L),
                Arguments.of(new ReentrantLockRace(fair), 0x72L),
                Arguments.of(new SemaphoreRace(fair), 0x73L),
                Arguments.of(new TakeRace(fair), 0x74L),
                Arguments.of(new PutRace(fair), 0x75L),
                Arguments.of(new ConditionRace(fair), 0x76L)));
        return Stream.concat(withFairness, Stream.of(Arguments.of(new EventRace(), 0x77L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("primitives")
    void didNotHappenRuleHoldsInEveryRound(Race race, long seed) throws Exception {
        race(race, rounds(), seed);
    }
}
