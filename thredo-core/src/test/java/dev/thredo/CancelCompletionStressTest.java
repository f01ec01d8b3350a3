package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancellation racing completion (stress): threads that end by returning, by throwing or
 * at their first blocking call are cancelled, in batches, at random moments around their end, in
 * each of the ways a cancel arrives ({@code requestCancel}, {@code cancel}, {@code Kernel.cancel(id)},
 * a raw interrupt). Checked in every round: the thread ends exactly once (one
 * {@link KernelListener#threadEnded} call, with the outcome the thread reports), with exactly one
 * outcome that fits what its body did and DESIGN §3.2 (a body that returned is never
 * {@code CANCELLED}; {@code CANCELLED} exactly when a cancel was accepted before the thread ended by
 * throwing, whatever it threw), {@code join}, {@code resultNow} and
 * {@code exceptionNow} agree with {@code outcome()}, the thread has left the registry when
 * {@code await} returns, and the kernel's counters add up.
 *
 * <p>100 000 rounds in the default run (they take a few seconds), 1 000 000 in the heavy one.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CancelCompletionStressTest {
    private static final int BATCH = 64;

    /** What a raced thread's body does. */
    enum Body { RETURN, BLOCK_THEN_RETURN, THROW, BLOCK_THEN_THROW, SPIN_THEN_RETURN }

    /** How the cancel arrives. */
    enum Cancel { REQUEST, CANCEL, KERNEL_BY_ID, INTERRUPT }

    /** Thrown by a body: its thread must end FAILED with exactly this cause, or CANCELLED. */
    static final class Planned extends RuntimeException {
        Planned(int round) {
            super("planned failure " + round, null, false, false);
        }
    }

    @Test
    void everyThreadEndsExactlyOnceWithOneOutcomeThatJoinAgreesWith() throws Exception {
        int rounds = Stress.size(100_000, 1_000_000);
        long seed = Long.getLong("thredo.chaos.seed", 0xCA9CE1L);
        long start = System.nanoTime();
        ConcurrentHashMap<Long, Outcome> ended = new ConcurrentHashMap<>();
        LongAdder endedTwice = new LongAdder();
        KernelListener listener = new KernelListener() {
            @Override
            public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
                if (ended.putIfAbsent(thread.id(), outcome) != null) {
                    endedTwice.increment();
                }
            }
        };
        long[] byOutcome = new long[Outcome.values().length];
        long[] accepted = new long[1];
        List<String> failures = new ArrayList<>();
        try (Kernel k = Kernel.builder().listener(listener).build()) {
            k.run(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                Body[] bodies = Body.values();
                Cancel[] cancels = Cancel.values();
                List<ThredoThread<Integer>> batch = new ArrayList<>(BATCH);
                Body[] body = new Body[BATCH];
                Cancel[] how = new Cancel[BATCH];
                boolean[] requested = new boolean[BATCH];
                AtomicInteger[] completed = new AtomicInteger[BATCH];
                for (int round = 0; round < rounds; round += BATCH) {
                    int n = Math.min(BATCH, rounds - round);
                    batch.clear();
                    for (int i = 0; i < n; i++) {
                        int r = round + i;
                        Body b = bodies[rnd.nextInt(bodies.length)];
                        AtomicInteger done = new AtomicInteger();
                        body[i] = b;
                        how[i] = cancels[rnd.nextInt(cancels.length)];
                        completed[i] = done;
                        batch.add(Thredo.spawn(() -> run(b, r, done)));
                    }
                    for (int i = 0; i < n; i++) {
                        Stress.spin(rnd.nextInt(0, 2_000)); // cancel before start, while running, as it ends, after
                        ThredoThread<Integer> t = batch.get(i);
                        requested[i] = switch (how[i]) {
                            case REQUEST -> t.requestCancel();
                            case CANCEL -> {
                                boolean wasRunning = !t.isDone();
                                t.cancel();
                                if (!t.isDone()) {
                                    failures.add("round " + (round + i) + ": cancel() returned before the thread ended");
                                }
                                yield wasRunning;
                            }
                            case KERNEL_BY_ID -> k.cancel(t.id());
                            case INTERRUPT -> {
                                boolean wasRunning = !t.isDone();
                                t.thread().interrupt();
                                yield wasRunning;
                            }
                        };
                    }
                    for (int i = 0; i < n; i++) {
                        ThredoThread<Integer> t = batch.get(i);
                        t.await();
                        Outcome o = t.outcome();
                        byOutcome[o.ordinal()]++;
                        if (t.isCancelled()) { // the request reached the thread before it ended
                            accepted[0]++;
                        }
                        String problem = check(k, t, round + i, body[i], how[i], requested[i], completed[i].get(), ended);
                        if (problem != null && failures.size() < 20) {
                            failures.add(problem);
                        }
                    }
                }
                return null;
            });
            KernelStats s = k.stats();
            Stress.report("cancel-vs-completion", "rounds=" + rounds
                    + " succeeded=" + byOutcome[Outcome.SUCCEEDED.ordinal()]
                    + " cancelled=" + byOutcome[Outcome.CANCELLED.ordinal()]
                    + " failed=" + byOutcome[Outcome.FAILED.ordinal()]
                    + " cancelTookHold=" + accepted[0]
                    + " endedEvents=" + ended.size() + " seed=" + seed,
                    failures.size() + endedTwice.sum(), start);
            assertEquals(List.of(), failures);
            assertEquals(0, endedTwice.sum(), "threads reported as ended twice");
            assertEquals(0, s.live());
            assertEquals(s.spawned(), s.succeeded() + s.failed() + s.cancelled(), "counters add up: " + s);
            assertTrue(byOutcome[Outcome.SUCCEEDED.ordinal()] > 0 && byOutcome[Outcome.CANCELLED.ordinal()] > 0
                    && byOutcome[Outcome.FAILED.ordinal()] > 0, "every outcome was raced");
        }
    }

    /** The raced body; {@code done} counts how often it reached its return or throw (once at most). */
    private static Integer run(Body b, int round, AtomicInteger done) {
        switch (b) {
            case BLOCK_THEN_RETURN, BLOCK_THEN_THROW -> Thredo.sleep(Duration.ZERO);
            case SPIN_THEN_RETURN -> {
                Stress.spin(500);
                Thredo.checkCancellation();
            }
            default -> { }
        }
        done.incrementAndGet();
        if (b == Body.THROW || b == Body.BLOCK_THEN_THROW) {
            throw new Planned(round);
        }
        return round;
    }

    /** What is wrong with how {@code t} ended, or {@code null}. */
    private static String check(Kernel k, ThredoThread<Integer> t, int round, Body b, Cancel how, boolean requested,
            int completed, ConcurrentHashMap<Long, Outcome> ended) {
        String at = "round " + round + " (" + b + ", " + how + ", requested=" + requested + ", " + t + "): ";
        Outcome o = t.outcome();
        if (!t.isDone()) {
            return at + "await returned but the thread is not done";
        }
        if (k.thread(t.id()).isPresent()) {
            return at + "still in the registry after await";
        }
        Outcome heard = ended.get(t.id());
        if (heard != o) {
            return at + "the listener heard " + heard + " but the thread reports " + o;
        }
        if (completed > 1) {
            return at + "the body ran " + completed + " times";
        }
        boolean throwing = b == Body.THROW || b == Body.BLOCK_THEN_THROW;
        try {
            switch (o) {
                case SUCCEEDED -> {
                    if (throwing || completed != 1 || t.resultNow() != round || t.join() != round) {
                        return at + "SUCCEEDED without the body's value";
                    }
                }
                case FAILED -> {
                    if (!throwing || completed != 1 || !(t.exceptionNow() instanceof Planned)) {
                        return at + "FAILED but not by the body's own exception: " + t.exceptionNow();
                    }
                    // Only requestCancel and Kernel.cancel(id) say whether the request was accepted
                    // (cancel() and interrupt() do not: the thread may end between isDone and the call).
                    if (requested && (how == Cancel.REQUEST || how == Cancel.KERNEL_BY_ID)) {
                        return at + "FAILED though its cancel was accepted while it ran";
                    }
                    try {
                        t.join();
                        return at + "join of a FAILED thread returned";
                    } catch (ThreadFailed e) {
                        if (e.getCause() != t.exceptionNow()) {
                            return at + "join's cause " + e.getCause() + " is not exceptionNow";
                        }
                    }
                }
                case CANCELLED -> {
                    if (!t.isCancelled()) {
                        return at + "CANCELLED though no cancel was accepted";
                    }
                    if (completed != 0 && !throwing) {
                        return at + "CANCELLED after its body returned a value (a result was lost)";
                    }
                    // DESIGN §3.2: cancel requested and ended by throwing anything, its own exception included.
                    Throwable e = t.exceptionNow();
                    if (!(e instanceof ThreadCancelled || (e instanceof Planned && completed == 1))) {
                        return at + "CANCELLED with " + e;
                    }
                    try {
                        t.join();
                        return at + "join of a CANCELLED thread returned";
                    } catch (ThreadFailed f) {
                        if (f.getCause() != e) {
                            return at + "join's cause " + f.getCause() + " is not exceptionNow";
                        }
                    }
                }
                default -> {
                    return at + "unexpected outcome " + o;
                }
            }
        } catch (RuntimeException e) {
            return at + "checking threw " + e;
        }
        return null;
    }
}
