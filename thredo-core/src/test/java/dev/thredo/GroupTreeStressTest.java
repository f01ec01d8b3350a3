package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thredo.testing.TestKernels;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random trees of thread groups (stress; DESIGN §3.4): every group gets a random wait
 * policy and members that succeed, fail, return {@code null}, hang until cancelled, let their own
 * {@code timeoutAfter} escape, spawn a sibling, run as daemons, or open a group of their own (the
 * tree). Owners sometimes join under a short deadline, and a chaos thread cancels random live
 * threads of the tree (members and owners) from outside.
 *
 * <p>Checked for every group: after {@code close()} every member ever spawned has ended (nothing
 * outlives its group); a {@link GroupFailed} lists exactly the non-daemon members that ended
 * {@code FAILED}, and it is thrown exactly when the policy says (no winner under {@code ANY}/
 * {@code OBJECT}, any failure under {@code ALL}/{@code NONE}); a winner succeeded (with a non-null
 * result under {@code OBJECT}). After each tree the kernel has no thread left but the test's own.
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupTreeStressTest {
    private static final Duration HANG = Duration.ofHours(1);
    private static final Duration END_LIMIT = Duration.ofSeconds(20);

    enum Kind { SUCCEED, FAIL, RETURN_NULL, HANG, OWN_TIMEOUT, SPAWN_SIBLING, DAEMON, SUBTREE }

    /** Thrown by a member that fails on purpose. */
    static final class Planned extends RuntimeException {
        Planned() {
            super("planned failure", null, false, false);
        }
    }

    /** What the trees did and what was wrong. */
    static final class Tally {
        final LongAdder groups = new LongAdder();
        final LongAdder members = new LongAdder();
        final LongAdder[] byOutcome = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
        final LongAdder groupFailed = new LongAdder();
        final LongAdder failuresListed = new LongAdder();
        final LongAdder winners = new LongAdder();
        final LongAdder joinsCancelled = new LongAdder();
        final LongAdder joinsTimedOut = new LongAdder();
        final LongAdder chaosCancels = new LongAdder();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

        void problem(String p) {
            if (problems.size() < 20) {
                problems.add(p);
            }
        }
    }

    @Test
    void nothingOutlivesItsGroupAndGroupFailedListsExactlyTheFailedMembers() throws Exception {
        int trees = Stress.size(3_000, 30_000);
        long seed = Long.getLong("thredo.chaos.seed", 0x7EEL);
        long start = System.nanoTime();
        Tally tally = new Tally();
        AtomicLong ids = new AtomicLong();
        TestKernels.inKernel(k -> {
            SplittableRandom master = new SplittableRandom(seed);
            long self = Thredo.current().id();
            for (int t = 0; t < trees && tally.problems.isEmpty(); t++) {
                long treeSeed = master.nextLong();
                ThredoThread<Object> root = Thredo.spawn("tree-" + t, () -> node(3, new SplittableRandom(treeSeed), tally, ids));
                long chaosSeed = master.nextLong();
                ThredoThread<Void> chaos = Thredo.spawn("chaos-" + t, () -> chaos(k, root, self, new SplittableRandom(chaosSeed), tally));
                if (!Thredo.ignoreAfter(END_LIMIT, () -> {
                    root.await();
                    chaos.cancel();
                })) {
                    tally.problem("tree " + t + " did not end within " + END_LIMIT + ": " + k.threads());
                    break;
                }
                if (root.outcome() == Outcome.FAILED && !(root.exceptionNow() instanceof GroupFailed
                        || root.exceptionNow() instanceof Planned || root.exceptionNow() instanceof ThreadTimeout)) {
                    tally.problem("tree " + t + " root died of " + root.exceptionNow());
                }
                List<ThreadInfo> left = k.threads();
                if (left.size() != 1) {
                    tally.problem("tree " + t + " left threads behind: " + left);
                }
            }
        });
        long failures = tally.problems.size();
        Stress.report("group-trees", "trees=" + trees + " groups=" + tally.groups.sum() + " members=" + tally.members.sum()
                + " succeeded=" + tally.byOutcome[Outcome.SUCCEEDED.ordinal()].sum()
                + " failed=" + tally.byOutcome[Outcome.FAILED.ordinal()].sum()
                + " cancelled=" + tally.byOutcome[Outcome.CANCELLED.ordinal()].sum()
                + " groupFailed=" + tally.groupFailed.sum() + " failuresListed=" + tally.failuresListed.sum()
                + " winners=" + tally.winners.sum() + " joinsCancelled=" + tally.joinsCancelled.sum()
                + " joinsTimedOut=" + tally.joinsTimedOut.sum() + " chaosCancels=" + tally.chaosCancels.sum()
                + " seed=" + seed, failures, start);
        assertEquals(List.of(), List.copyOf(tally.problems));
        assertTrue(tally.groupFailed.sum() > 0 && tally.winners.sum() > 0 && tally.joinsTimedOut.sum() > 0
                && tally.chaosCancels.sum() > 0, "every path was taken");
    }

    /** Cancels a few random live threads of the tree (never the test's own thread) at random moments. */
    private static void chaos(Kernel k, ThredoThread<?> root, long self, SplittableRandom rnd, Tally tally) {
        int cancels = rnd.nextInt(4);
        for (int i = 0; i < cancels && !root.isDone(); i++) {
            Thredo.sleep(Duration.ofNanos(rnd.nextLong(50_000, 1_500_000)));
            List<ThreadInfo> live = k.threads();
            ThreadInfo victim = live.get(rnd.nextInt(live.size()));
            if (victim.id() != self && victim.id() != Thredo.current().id() && k.cancel(victim.id())) {
                tally.chaosCancels.increment();
            }
        }
        Thredo.sleep(HANG); // until the tree has ended
    }

    /** Opens a group with a random policy and random members, joins it, checks it, closes it. */
    private static Object node(int depth, SplittableRandom rnd, Tally tally, AtomicLong ids) {
        ThredoGroup.Wait policy = ThredoGroup.Wait.values()[rnd.nextInt(4)];
        int n = rnd.nextInt(1, 6);
        Kind[] kinds = new Kind[n];
        boolean hangs = false;
        for (int i = 0; i < n; i++) {
            kinds[i] = depth > 0 && rnd.nextInt(4) == 0 ? Kind.SUBTREE : Kind.values()[rnd.nextInt(Kind.values().length - 1)];
            hangs |= kinds[i] == Kind.HANG;
        }
        // A member that hangs until cancelled would keep ALL (and ANY without a winner) waiting forever:
        // such a group always joins under a deadline, other groups sometimes.
        boolean deadline = (hangs && policy != ThredoGroup.Wait.NONE) || rnd.nextInt(4) == 0;
        long deadlineNanos = deadline ? rnd.nextLong(100_000, 3_000_000) : 0;
        tally.groups.increment();
        ThredoGroup g = ThredoGroup.open("g" + ids.incrementAndGet(), policy);
        String where = g.name() + " (" + policy + ", depth " + depth + ")";
        try {
            for (Kind kind : kinds) {
                spawn(g, kind, depth, rnd.nextLong(), tally, ids);
            }
            try {
                if (deadlineNanos > 0) {
                    Thredo.timeoutAfter(Duration.ofNanos(deadlineNanos), g::join);
                } else {
                    g.join();
                }
                checkJoined(g, policy, null, where, tally);
            } catch (GroupFailed e) {
                tally.groupFailed.increment();
                tally.failuresListed.add(e.failures().size());
                checkJoined(g, policy, e, where, tally);
                throw e;
            } catch (ThreadTimeout e) {
                tally.joinsTimedOut.increment();
                checkAllEnded(g, where + " after its join timed out", tally);
                throw e;
            } catch (ThreadCancelled e) {
                tally.joinsCancelled.increment();
                checkAllEnded(g, where + " after its join was cancelled", tally);
                throw e;
            }
            return g.name();
        } finally {
            g.close();
            checkAllEnded(g, where + " after close", tally);
            for (ThredoThread<?> m : g.threads()) {
                tally.members.increment();
                tally.byOutcome[m.outcome().ordinal()].increment();
            }
        }
    }

    private static void spawn(ThredoGroup g, Kind kind, int depth, long seed, Tally tally, AtomicLong ids) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Duration pause = Duration.ofNanos(rnd.nextLong(0, 1_000_000));
        switch (kind) {
            case SUCCEED -> g.spawn(() -> {
                Thredo.sleep(pause);
                return "ok";
            });
            case FAIL -> g.spawn(() -> {
                Thredo.sleep(pause);
                throw new Planned();
            });
            case RETURN_NULL -> g.spawn(() -> {
                Thredo.sleep(pause);
                return null;
            });
            case HANG -> g.spawn(() -> Thredo.sleep(HANG));
            case OWN_TIMEOUT -> g.spawn(() -> Thredo.timeoutAfter(pause, () -> Thredo.sleep(HANG))); // FAILED: its ThreadTimeout escapes
            case SPAWN_SIBLING -> g.spawn(() -> {
                Thredo.sleep(pause);
                try {
                    spawn(g, rnd.nextBoolean() ? Kind.SUCCEED : Kind.FAIL, depth, rnd.nextLong(), tally, ids);
                } catch (IllegalStateException refused) {
                    // the group was already joined or closed: spawning is refused, as documented
                }
                return "spawned";
            });
            case DAEMON -> g.spawnDaemon(() -> {
                Thredo.sleep(pause);
                if (rnd.nextBoolean()) {
                    throw new Planned(); // never a group failure
                }
                Thredo.sleep(HANG);
                return null;
            });
            case SUBTREE -> g.spawn(() -> node(depth - 1, rnd, tally, ids));
        }
    }

    /** After a join that returned ({@code failed == null}) or threw {@code failed}: the policy's promises. */
    private static void checkJoined(ThredoGroup g, ThredoGroup.Wait policy, GroupFailed failed, String where, Tally tally) {
        checkAllEnded(g, where + " after join", tally);
        Set<ThredoThread<?>> failedMembers = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ThredoThread<?> m : g.threads()) {
            if (!m.isDaemon() && m.outcome() == Outcome.FAILED) {
                failedMembers.add(m);
            }
        }
        ThredoThread<?> winner = null;
        if (policy == ThredoGroup.Wait.ANY || policy == ThredoGroup.Wait.OBJECT) {
            winner = g.completed().orElse(null);
            if (winner != null) {
                tally.winners.increment();
                if (winner.outcome() != Outcome.SUCCEEDED || (policy == ThredoGroup.Wait.OBJECT && winner.resultNow() == null)) {
                    tally.problem(where + ": the winner " + winner + " did not win");
                }
            }
        }
        boolean mustFail = winner == null && !failedMembers.isEmpty();
        if (failed == null) {
            if (mustFail) {
                tally.problem(where + ": join returned though " + failedMembers + " failed");
            }
            return;
        }
        if (!mustFail) {
            tally.problem(where + ": GroupFailed " + failed.failures() + " though the policy had no failure to report (winner " + winner + ")");
        }
        Set<ThredoThread<?>> listed = Collections.newSetFromMap(new IdentityHashMap<>());
        listed.addAll(failed.failures());
        if (listed.size() != failed.failures().size()) {
            tally.problem(where + ": GroupFailed lists a member twice: " + failed.failures());
        }
        if (!listed.equals(failedMembers)) {
            tally.problem(where + ": GroupFailed lists " + failed.failures() + " but the failed members are " + failedMembers);
        }
        if (!failed.failures().isEmpty() && failed.getCause() != failed.failures().get(0).exceptionNow()) {
            tally.problem(where + ": GroupFailed's cause is not the first failure's exception");
        }
    }

    private static void checkAllEnded(ThredoGroup g, String where, Tally tally) {
        for (ThredoThread<?> m : g.threads()) {
            if (!m.isDone()) {
                tally.problem(where + ": member " + m + " is still running");
            }
        }
    }
}
