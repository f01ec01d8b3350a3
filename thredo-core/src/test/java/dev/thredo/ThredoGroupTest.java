package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.thredo.ThredoGroup.Wait;
import dev.thredo.testing.TestKernels;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ThredoGroup}: curio's task-group cases (C18 {@code test_task.py}/{@code test_thread.py} and
 * the C1x additions), adapted to DESIGN.md §3.4, and one test per contract line of §3.4.
 *
 * <p>Members that must be cancelled sleep {@link #LONG}; every wait between threads is a latch, a
 * {@code nextDone()}, a join, or (where nothing else can tell) a poll of the kernel registry for
 * what a thread is blocked on.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung kernel must not hang the build
class ThredoGroupTest {

    /** Far beyond every test's {@code @Timeout}: a member still sleeping this long was never cancelled. */
    private static final Duration LONG = Duration.ofSeconds(30);

    /** A generous upper bound that only catches hangs. */
    private static final long HANG_NANOS = Duration.ofSeconds(5).toNanos();

    /** Blocks until the calling thread is cancelled; never returns normally. */
    private static <T> T sleepUntilCancelled() {
        Thredo.sleep(LONG);
        throw new AssertionError("a member that should have been cancelled slept " + LONG);
    }

    private static List<Outcome> outcomes(List<? extends ThredoThread<?>> threads) {
        List<Outcome> out = new ArrayList<>();
        for (ThredoThread<?> t : threads) {
            out.add(t.outcome());
        }
        return out;
    }

    private static void assertCancelled(ThredoThread<?> t) {
        assertTrue(t.isDone(), t + " is still running");
        assertTrue(t.isCancelled(), t + " was never asked to cancel");
        assertEquals(Outcome.CANCELLED, t.outcome(), t::toString);
    }

    private static void assertSucceededUncancelled(ThredoThread<?> t) {
        assertEquals(Outcome.SUCCEEDED, t.outcome(), t::toString);
        assertFalse(t.isCancelled(), t + " was asked to cancel");
    }

    // =============================================================================================
    // curio's task-group cases
    // =============================================================================================

    /** test_task_group. */
    @Test
    void userCodeHoldingAGroupsMonitorDoesNotStallIt() throws Exception {
        TestKernels.inKernel(k -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                CountDownLatch locked = new CountDownLatch(1);
                CountDownLatch unlock = new CountDownLatch(1);
                Thread holder = Thread.ofPlatform().name("holds the group's monitor").start(() -> {
                    synchronized (g) {
                        locked.countDown();
                        awaitQuietly(unlock);
                    }
                });
                try {
                    locked.await();
                    ThredoThread<Integer> member = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                            Duration.ofSeconds(3), () -> g.spawn(() -> 1), "spawn from another thread");
                    assertEquals(1, member.join());
                    assertEquals(List.of(member), g.threads());
                    g.join();
                    assertEquals(List.of(1), g.results());
                } finally {
                    unlock.countDown();
                    holder.join();
                }
            }
        });
    }

    @Test
    void aSlowTaskDecoratorInOneSpawnDoesNotStallTheGroupsOtherCallers() throws Exception {
        CountDownLatch decorating = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicBoolean slowOnce = new AtomicBoolean(true);
        TaskDecorator slow = task -> {
            if (Thread.currentThread().getName().equals("slow spawner") && slowOnce.getAndSet(false)) {
                decorating.countDown();
                awaitQuietly(finish);
            }
            return task;
        };
        try (Kernel k = Kernel.builder().taskDecorator(slow).build()) {
            k.run(() -> {
                try (ThredoGroup g = ThredoGroup.open()) {
                    Thread spawner = Thread.ofPlatform().name("slow spawner").start(() -> g.spawn(() -> 2));
                    try {
                        decorating.await();
                        ThredoThread<Integer> quick = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                                Duration.ofSeconds(3), () -> g.spawn(() -> 1), "a spawn while another one decorates");
                        assertEquals(1, quick.join());
                        assertEquals(List.of(quick), g.threads());
                    } finally {
                        finish.countDown();
                        spawner.join();
                    }
                    g.join();
                    assertEquals(2, g.threads().size());
                }
                return null;
            });
        }
    }

    @Test
    void aMemberTheClosedKernelRefusesIsNotCountedByItsGroup() throws Exception {
        Kernel k = Kernel.builder().shutdownGracePeriod(Duration.ofSeconds(5)).build();
        CountDownLatch opened = new CountDownLatch(1);
        AtomicReference<Throwable> refused = new AtomicReference<>();
        ThredoThread<Void> owner = k.spawn(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                opened.countDown();
                try {
                    Thredo.sleep(LONG);
                } catch (ThreadCancelled c) {
                    refused.set(assertThrows(IllegalStateException.class, () -> g.spawn(() -> 1)));
                    assertEquals(List.of(), g.threads());
                    throw c;
                }
            }
        });
        opened.await();
        k.close(); // the group's close must not wait for the member that never started
        assertEquals(Outcome.CANCELLED, owner.outcome());
        assertNotNull(refused.get());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void allPolicyJoinWaitsForEveryMemberAndResultsAreInSpawnOrder() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> t1 = g.spawn(() -> 1 + 1);
                ThredoThread<Integer> t2 = g.spawn(() -> 2 + 2);
                ThredoThread<Integer> t3 = g.spawn(() -> 3 + 3);
                g.join();
                assertEquals(2, t1.resultNow());
                assertEquals(4, t2.resultNow());
                assertEquals(6, t3.resultNow());
                assertEquals(List.of(2, 4, 6), g.results());
            }
            return null;
        });
    }

    /** test_task_any_cancel. */
    @Test
    void anyPolicyCancelsLosersWhenFirstMemberSucceeds() throws Exception {
        Thredo.run(() -> {
            CountDownLatch never = new CountDownLatch(1);
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                ThredoThread<Integer> t1 = g.spawn(() -> 1 + 1);
                ThredoThread<Integer> t2 = g.spawn(() -> {
                    never.await();
                    return 2 + 2;
                });
                ThredoThread<Integer> t3 = g.spawn(() -> {
                    never.await();
                    return 3 + 3;
                });
                g.join();
                assertEquals(2, t1.resultNow());
                assertSame(t1, g.completed().orElseThrow());
                Integer result = g.result();
                assertEquals(2, result);
                assertCancelled(t2);
                assertCancelled(t3);
            }
            return null;
        });
    }

    /** test_task_any_error, first half: under DESIGN §3.4 a failure does not settle ANY (curio C1x differs). */
    @Test
    void anyPolicyFailureDoesNotEndTheRaceSoALaterSuccessWins() throws Exception {
        Thredo.run(() -> {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                ThredoThread<Integer> t1 = g.spawn(() -> {
                    throw new IllegalArgumentException("1 + '1'");
                });
                ThredoThread<Integer> t2 = g.spawn(() -> {
                    go.await();
                    return 2 + 2;
                });
                ThredoThread<Integer> t3 = g.spawn(() -> {
                    never.await();
                    return 3 + 3;
                });
                assertSame(t1, g.nextDone());
                assertFalse(t2.isCancelled(), "a failure must not cancel the other ANY members");
                assertFalse(t3.isCancelled(), "a failure must not cancel the other ANY members");
                assertTrue(g.completed().isEmpty());
                go.countDown();
                g.join(); // a winner: the earlier failure is not a GroupFailed
                assertSame(t2, g.completed().orElseThrow());
                Integer result = g.result();
                assertEquals(4, result);
                assertEquals(Outcome.FAILED, t1.outcome());
                assertCancelled(t3);
            }
            return null;
        });
    }

    /** test_task_any_error, second half: no winner and a failure. */
    @Test
    void anyPolicyWithoutWinnerThrowsGroupFailedWhenAMemberFailed() throws Exception {
        Thredo.run(() -> {
            IllegalArgumentException bad = new IllegalArgumentException("1 + '1'");
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                ThredoThread<Integer> t1 = g.spawn(() -> {
                    throw bad;
                });
                ThredoThread<Integer> t2 = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Integer> t3 = g.spawn(() -> sleepUntilCancelled());
                assertSame(t1, g.nextDone());
                t2.cancel(); // from outside the group: not failures, not winners
                t3.cancel();
                GroupFailed e = assertThrows(GroupFailed.class, g::join);
                assertEquals(List.of(t1), e.failures());
                assertSame(bad, e.getCause());
                assertTrue(g.completed().isEmpty());
                assertThrows(IllegalStateException.class, g::result);
                assertCancelled(t2);
                assertCancelled(t3);
            }
            return null;
        });
    }

    /** test_task_group_iter: a nextDone() loop. */
    @Test
    void nextDoneReturnsEachMemberOnceThenNull() throws Exception {
        Thredo.run(() -> {
            Set<Object> results = new HashSet<>();
            List<ThredoThread<?>> seen = new ArrayList<>();
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn(() -> 1 + 1);
                g.spawn(() -> 2 + 2);
                g.spawn(() -> 3 + 3);
                for (ThredoThread<?> t = g.nextDone(); t != null; t = g.nextDone()) {
                    assertTrue(t.isDone());
                    seen.add(t);
                    results.add(t.resultNow());
                }
                assertNull(g.nextDone());
                g.join();
                assertEquals(Set.copyOf(g.threads()), Set.copyOf(seen));
                assertEquals(3, seen.size());
                // DESIGN §3.4: results() lists every non-daemon member, collected by nextDone or not.
                assertEquals(List.of(2, 4, 6), g.results());
            }
            assertEquals(Set.of(2, 4, 6), results);
            return null;
        });
    }

    /** test_task_group_error. */
    @Test
    void allPolicyFailureCancelsSiblingsAndJoinThrowsGroupFailed() throws Exception {
        Thredo.run(() -> {
            IllegalArgumentException bad = new IllegalArgumentException("3 + 'bad'");
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> t1 = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Integer> t2 = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Integer> t3 = g.spawn(() -> {
                    throw bad;
                });
                GroupFailed e = assertThrows(GroupFailed.class, g::join);
                assertEquals(List.of(t3), e.failures());
                assertSame(bad, e.getCause());
                assertEquals(0, e.getSuppressed().length);
                assertEquals(Outcome.FAILED, t3.outcome());
                assertCancelled(t1);
                assertCancelled(t2);
            }
            return null;
        });
    }

    /** test_task_group_error_block. */
    @Test
    void bodyThrowingInsideTryWithResourcesCancelsEveryMember() throws Exception {
        Thredo.run(() -> {
            List<ThredoThread<?>> members = new ArrayList<>();
            RuntimeException boom = new RuntimeException("body failed");
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                try (ThredoGroup g = ThredoGroup.open()) {
                    members.add(g.spawn(() -> sleepUntilCancelled()));
                    members.add(g.spawn(() -> sleepUntilCancelled()));
                    members.add(g.spawn(() -> sleepUntilCancelled()));
                    throw boom;
                }
            });
            assertSame(boom, e);
            assertEquals(3, members.size());
            for (ThredoThread<?> m : members) {
                assertCancelled(m);
            }
            return null;
        });
    }

    /** test_task_group_join, success part: a member joined directly still counts for the group. */
    @Test
    void memberJoinedDirectlyStillCountsForTheGroup() throws Exception {
        Thredo.run(() -> {
            CountDownLatch go = new CountDownLatch(1);
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> t1 = g.spawn(() -> {
                    go.await();
                    return 1 + 1;
                });
                ThredoThread<Integer> t2 = g.spawn(() -> {
                    go.await();
                    return 2 + 2;
                });
                ThredoThread<Integer> t3 = g.spawn(() -> {
                    go.await();
                    return 3 + 3;
                });
                assertThrows(IllegalStateException.class, t2::resultNow); // still running
                assertThrows(IllegalStateException.class, t2::exceptionNow);
                go.countDown();
                assertEquals(2, t1.join());
                g.join();
                assertEquals(List.of(2, 4, 6), g.results());
                assertSucceededUncancelled(t2);
                assertSucceededUncancelled(t3);
            }
            return null;
        });
    }

    /**
     * test_task_group_join, failure part. curio C1x lets a directly joined member leave the group, so
     * its failure spares the siblings; DESIGN §3.4 has no such rule: it is a failed member like any
     * other.
     */
    @Test
    void joiningAFailedMemberThrowsThreadFailedAndItStillFailsTheGroup() throws Exception {
        Thredo.run(() -> {
            CountDownLatch fail = new CountDownLatch(1);
            IllegalArgumentException bad = new IllegalArgumentException("1 + 'foo'");
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> t1 = g.spawn(() -> {
                    fail.await();
                    throw bad;
                });
                ThredoThread<Integer> t2 = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Integer> t3 = g.spawn(() -> sleepUntilCancelled());
                fail.countDown();
                ThreadFailed e = assertThrows(ThreadFailed.class, t1::join);
                assertSame(bad, e.getCause());
                assertSame(bad, t1.exceptionNow());
                assertThrows(IllegalStateException.class, t1::resultNow);
                GroupFailed gf = assertThrows(GroupFailed.class, g::join);
                assertEquals(List.of(t1), gf.failures());
                assertCancelled(t2);
                assertCancelled(t3);
            }
            return null;
        });
    }

    /** test_task_group_multierror, deterministic: NONE does not cancel on failure, so failures accumulate. */
    @Test
    void groupFailedListsEveryFailedMemberWithTheFirstAsCauseAndTheOthersSuppressed() throws Exception {
        Thredo.run(() -> {
            RuntimeException died = new RuntimeException("Died");
            IllegalArgumentException valueError = new IllegalArgumentException("Died");
            try (ThredoGroup g = ThredoGroup.open(Wait.NONE)) {
                ThredoThread<Object> t1 = g.spawn(() -> {
                    throw died;
                });
                assertSame(t1, g.nextDone());
                ThredoThread<Object> t2 = g.spawn(() -> {
                    throw valueError;
                });
                assertSame(t2, g.nextDone());
                ThredoThread<Object> t3 = g.spawn(() -> sleepUntilCancelled());
                GroupFailed e = assertThrows(GroupFailed.class, g::join);
                assertEquals(List.of(t1, t2), e.failures());
                assertSame(died, e.getCause());
                assertEquals(List.of(valueError), Arrays.asList(e.getSuppressed()));
                assertCancelled(t3);
            }
            return null;
        });
    }

    /**
     * test_task_group_multierror under ALL: members failing at the same moment race with the
     * teardown the first failure starts, so which of them end FAILED varies; GroupFailed must list
     * exactly those.
     */
    @Test
    void allPolicyGroupFailedListsExactlyTheMembersThatEndedFailed() throws Exception {
        Thredo.run(() -> {
            for (int round = 0; round < 20; round++) {
                CountDownLatch go = new CountDownLatch(1);
                try (ThredoGroup g = ThredoGroup.open()) {
                    g.spawn(() -> {
                        go.await();
                        throw new RuntimeException("Died");
                    });
                    g.spawn(() -> {
                        go.await();
                        throw new IllegalArgumentException("Died");
                    });
                    ThredoThread<Object> waiter = g.spawn(() -> sleepUntilCancelled());
                    go.countDown();
                    GroupFailed e = assertThrows(GroupFailed.class, g::join);
                    Set<ThredoThread<?>> failed = new HashSet<>();
                    for (ThredoThread<?> t : g.threads()) {
                        assertTrue(t.isDone());
                        if (t.outcome() == Outcome.FAILED) {
                            failed.add(t);
                        }
                    }
                    assertFalse(failed.isEmpty());
                    assertEquals(failed, new HashSet<>(e.failures()));
                    assertEquals(failed.size(), e.failures().size(), "a member listed twice");
                    assertSame(e.failures().get(0).exceptionNow(), e.getCause());
                    List<Throwable> others = new ArrayList<>();
                    for (ThredoThread<?> t : e.failures().subList(1, e.failures().size())) {
                        others.add(t.exceptionNow());
                    }
                    assertEquals(others, Arrays.asList(e.getSuppressed()));
                    assertCancelled(waiter);
                }
            }
            return null;
        });
    }

    /** test_task_group_cancel. */
    @Test
    void joinerCancelledWhileJoiningCancelsAndAwaitsEveryMemberThenPropagates() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                CountDownLatch spawned = new CountDownLatch(1);
                AtomicBoolean cleanupFinished = new AtomicBoolean();
                AtomicReference<List<Outcome>> outcomesWhenJoinThrew = new AtomicReference<>();
                AtomicBoolean cleanupFinishedWhenJoinThrew = new AtomicBoolean();
                AtomicReference<List<ThredoThread<?>>> members = new AtomicReference<>();
                ThredoThread<Object> owner = Thredo.spawn("owner", () -> {
                    try (ThredoGroup g = ThredoGroup.open()) {
                        g.spawn(() -> sleepUntilCancelled());
                        g.spawn(() -> sleepUntilCancelled());
                        g.spawn(() -> {
                            try {
                                return sleepUntilCancelled();
                            } finally {
                                Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(100))); // slow cleanup
                                cleanupFinished.set(true);
                            }
                        });
                        members.set(g.threads());
                        spawned.countDown();
                        try {
                            g.join();
                        } catch (ThreadCancelled c) {
                            outcomesWhenJoinThrew.set(outcomes(g.threads()));
                            cleanupFinishedWhenJoinThrew.set(cleanupFinished.get());
                            throw c;
                        }
                        throw new AssertionError("join returned although its caller was cancelled");
                    }
                });
                spawned.await();
                awaitBlocked(k, owner, "ThredoGroup.join");
                owner.cancel();
                assertEquals(Outcome.CANCELLED, owner.outcome(), () -> String.valueOf(owner.exceptionNow()));
                assertInstanceOf(ThreadCancelled.class, owner.exceptionNow());
                assertEquals(List.of(Outcome.CANCELLED, Outcome.CANCELLED, Outcome.CANCELLED), outcomesWhenJoinThrew.get());
                assertTrue(cleanupFinishedWhenJoinThrew.get(), "join threw before a member's cleanup had finished");
                for (ThredoThread<?> m : members.get()) {
                    assertCancelled(m);
                }
                return null;
            });
        }
    }

    /** test_task_group_timeout. */
    @Test
    void joinerTimingOutWhileJoiningCancelsEveryMemberThenThrowsThreadTimeout() throws Exception {
        Thredo.run(() -> {
            List<ThredoThread<?>> members = new CopyOnWriteArrayList<>();
            AtomicReference<List<Outcome>> outcomesWhenJoinThrew = new AtomicReference<>();
            long start = System.nanoTime();
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ofMillis(250), () -> {
                try (ThredoGroup g = ThredoGroup.open()) {
                    members.add(g.spawn(() -> sleepUntilCancelled()));
                    members.add(g.spawn(() -> sleepUntilCancelled()));
                    members.add(g.spawn(() -> sleepUntilCancelled()));
                    try {
                        g.join();
                    } catch (ThreadCancelled c) {
                        outcomesWhenJoinThrew.set(outcomes(members));
                        throw c;
                    }
                }
                return null;
            }));
            assertTrue(System.nanoTime() - start < HANG_NANOS);
            assertEquals(List.of(Outcome.CANCELLED, Outcome.CANCELLED, Outcome.CANCELLED), outcomesWhenJoinThrew.get());
            for (ThredoThread<?> m : members) {
                assertCancelled(m);
            }
            return null;
        });
    }

    /** DESIGN §3.3: an interrupt from outside (Future.cancel(true), shutdownNow) is a cancellation request. */
    @Test
    void joinerInterruptedWhileJoiningIsTakenAsItsCancellation() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                CountDownLatch spawned = new CountDownLatch(1);
                AtomicReference<List<ThredoThread<?>>> members = new AtomicReference<>();
                ThredoThread<String> owner = Thredo.spawn("owner", () -> {
                    try (ThredoGroup g = ThredoGroup.open()) {
                        g.spawn(() -> sleepUntilCancelled());
                        g.spawn(() -> sleepUntilCancelled());
                        members.set(g.threads());
                        spawned.countDown();
                        g.join();
                        return "joined";
                    }
                });
                spawned.await();
                awaitBlocked(k, owner, "ThredoGroup.join");
                owner.thread().interrupt();
                owner.await();
                assertCancelled(owner);
                assertInstanceOf(ThreadCancelled.class, owner.exceptionNow());
                for (ThredoThread<?> m : members.get()) {
                    assertCancelled(m);
                }
                return null;
            });
        }
    }

    /** test_task_group_cancel_remaining. */
    @Test
    void cancelRemainingCancelsRunningMembersAndWaitsForThem() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> t0 = g.spawn(() -> 1 + 1);
                assertSame(t0, g.nextDone());
                g.spawn(() -> 2 + 2);
                Integer r = g.nextResult();
                assertEquals(4, r);
                ThredoThread<Integer> t2 = g.spawn(() -> sleepUntilCancelled());
                AtomicBoolean cleanupFinished = new AtomicBoolean();
                ThredoThread<Integer> t3 = g.spawn(() -> {
                    try {
                        return sleepUntilCancelled();
                    } finally {
                        Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(100)));
                        cleanupFinished.set(true);
                    }
                });
                g.cancelRemaining();
                assertCancelled(t2);
                assertCancelled(t3);
                assertTrue(cleanupFinished.get(), "cancelRemaining returned before a member had ended");
                assertSucceededUncancelled(t0);
                g.join();
                assertEquals(Arrays.asList(2, 4, null, null), g.results());
            }
            return null;
        });
    }

    /** test_task_group_use_error: every spawn overload. */
    @Test
    void spawnAfterJoinThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn(() -> Thredo.sleep(Duration.ZERO));
                g.join();
                assertThrows(IllegalStateException.class, () -> g.spawn(() -> 1));
                assertThrows(IllegalStateException.class, () -> g.spawn(() -> Thredo.sleep(Duration.ZERO)));
                assertThrows(IllegalStateException.class, () -> g.spawn("late", () -> 1));
                assertThrows(IllegalStateException.class, () -> g.spawnDaemon(() -> 1));
                assertEquals(1, g.threads().size());
            }
            return null;
        });
    }

    @Test
    void spawnAfterCloseThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            ThredoGroup g = ThredoGroup.open();
            g.close();
            assertThrows(IllegalStateException.class, () -> g.spawn(() -> 1));
            assertTrue(g.threads().isEmpty());
            return null;
        });
    }

    @Test
    void spawnAfterCancelRemainingThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn(() -> sleepUntilCancelled());
                g.cancelRemaining();
                assertThrows(IllegalStateException.class, () -> g.spawn(() -> 1));
                assertEquals(1, g.threads().size());
            }
            return null;
        });
    }

    /**
     * A member may end the work itself ("found it: cancel the rest"); cancelRemaining() then cancels
     * every running member and waits for them, which cannot include waiting for the caller's own end.
     */
    @Test
    void memberCallingCancelRemainingWaitsForTheOtherMembersNotForItself() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Object> other = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Outcome> finder = g.spawn(() -> {
                    g.cancelRemaining();
                    return other.outcome(); // as cancelRemaining left it
                });
                assertEquals(Outcome.CANCELLED, finder.join());
                assertCancelled(other);
            }
            return null;
        });
    }

    /** test_task_wait_none. */
    @Test
    void nonePolicyJoinCancelsEveryMemberAtOnce() throws Exception {
        Thredo.run(() -> {
            long start = System.nanoTime();
            try (ThredoGroup g = ThredoGroup.open(Wait.NONE)) {
                ThredoThread<Integer> t2 = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Integer> t3 = g.spawn(() -> sleepUntilCancelled());
                g.join();
                assertCancelled(t2);
                assertCancelled(t3);
                assertEquals(Arrays.asList(null, null), g.results());
            }
            assertTrue(System.nanoTime() - start < HANG_NANOS);
            return null;
        });
    }

    /** test_task_group_daemon. */
    @Test
    void daemonMembersDoNotCountForPolicyOrResultsAndAreCancelledAtJoin() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.ALL)) {
                ThredoThread<Integer> t1 = g.spawn(() -> 1 + 1);
                ThredoThread<Integer> t2 = g.spawnDaemon(() -> 2 + 2);
                ThredoThread<Integer> t3 = g.spawnDaemon(() -> {
                    throw new IllegalArgumentException("3 + '3'");
                });
                ThredoThread<Integer> t4 = g.spawnDaemon(() -> sleepUntilCancelled());
                t3.await(); // a daemon's failure is no group failure
                g.join();
                assertEquals(2, t1.resultNow());
                assertEquals(List.of(2), g.results());
                assertEquals(Outcome.FAILED, t3.outcome());
                assertCancelled(t4);
                assertFalse(t1.isDaemon());
                assertTrue(t2.isDaemon());
                assertTrue(t3.isDaemon());
                assertTrue(t4.isDaemon());
            }
            return null;
        });
    }

    /** test_task_group_result: three members race; the winner's value is the group's result. */
    @Test
    void resultIsTheWinningMembersValue() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                g.spawn(() -> 1 + 1);
                g.spawn(() -> 2 + 2);
                g.spawn(() -> 3 + 3);
                g.join();
                ThredoThread<?> winner = g.completed().orElseThrow();
                assertTrue(g.threads().contains(winner));
                assertEquals(Outcome.SUCCEEDED, winner.outcome());
                Integer result = g.result();
                assertEquals(winner.resultNow(), result);
                assertTrue(Set.of(2, 4, 6).contains(result), String.valueOf(result));
            }
            return null;
        });
    }

    /** test_task_group_empty. */
    @Test
    void emptyGroupJoinsAtOnceWithNoResultsAndNoWinner() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                assertNull(g.nextDone());
                assertThrows(NoSuchElementException.class, g::nextResult);
                g.join();
                assertEquals(List.of(), g.results());
                assertEquals(List.of(), g.threads());
                assertTrue(g.completed().isEmpty());
                assertThrows(IllegalStateException.class, g::result);
            }
            return null;
        });
    }

    @Test
    void emptyAnyGroupJoinsAtOnceWithoutWinner() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                g.join();
                assertTrue(g.completed().isEmpty());
                assertThrows(IllegalStateException.class, g::result);
                assertEquals(List.of(), g.results());
            }
            return null;
        });
    }

    /** test_late_join: tearing the group down does not mark a member that already ended as cancelled. */
    @Test
    void closeDoesNotMarkAFinishedMemberCancelled() throws Exception {
        Thredo.run(() -> {
            ThredoThread<String> t;
            try (ThredoGroup g = ThredoGroup.open()) {
                t = g.spawn(() -> "done");
                assertSame(t, g.nextDone());
            }
            assertSucceededUncancelled(t);
            assertFalse(t.requestCancel());
            t.cancel();
            assertSucceededUncancelled(t);
            assertEquals("done", t.join());
            return null;
        });
    }

    /** test_task_group_thread: a group driven from a spawned thread of a platform-thread kernel. */
    @Test
    void groupWorksFromASpawnedThreadOfAPlatformThreadKernel() throws Exception {
        try (Kernel k = Kernel.builder().platformThreads().build()) {
            List<Integer> results = k.run(() -> Thredo.spawn("task", () -> {
                List<Integer> out = new ArrayList<>();
                try (ThredoGroup g = ThredoGroup.open()) {
                    g.spawn(() -> 1 + 1);
                    g.spawn(() -> 2 + 2);
                    g.spawn(() -> 3 + 3);
                    for (ThredoThread<?> t = g.nextDone(); t != null; t = g.nextDone()) {
                        assertFalse(t.thread().isVirtual());
                        out.add((Integer) t.join());
                    }
                    g.join();
                }
                return out;
            }).join());
            results.sort(null);
            assertEquals(List.of(2, 4, 6), results);
        }
    }

    // =============================================================================================
    // open and current
    // =============================================================================================

    /** ALL is the default: join waits for a member however long it takes (a member it gave up on would end CANCELLED). */
    @Test
    void openWithoutPolicyWaitsForEveryMember() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<String> slow = g.spawn(() -> {
                    Thredo.sleep(Duration.ofMillis(100)); // work, not synchronization
                    return "slow";
                });
                ThredoThread<String> fast = g.spawn(() -> "fast");
                g.join();
                assertSucceededUncancelled(slow);
                assertSucceededUncancelled(fast);
                assertEquals(List.of("slow", "fast"), g.results());
            }
            return null;
        });
    }

    @Test
    void openWithoutPolicyCancelsSiblingsOnFailure() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Object> sibling = g.spawn(() -> sleepUntilCancelled());
                g.spawn(() -> {
                    throw new IllegalStateException("x");
                });
                assertThrows(GroupFailed.class, g::join);
                assertCancelled(sibling);
            }
            return null;
        });
    }

    @Test
    void openWithNameAndPolicyNamesTheGroupAndUsesThePolicy() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                try (ThredoGroup g = ThredoGroup.open("fetchers", Wait.ANY)) {
                    ThredoThread<String> slow = g.spawn(() -> sleepUntilCancelled());
                    ThreadInfo info = k.thread(slow.id()).orElseThrow();
                    assertEquals("fetchers", info.groupName());
                    assertTrue(info.groupId() != 0);
                    ThredoThread<String> fast = g.spawn(() -> "fast");
                    g.join();
                    assertSame(fast, g.completed().orElseThrow());
                    assertCancelled(slow);
                }
                return null;
            });
        }
    }

    @Test
    void openOutsideAThredoThreadThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread plain = Thread.ofPlatform().start(() -> {
                try {
                    ThredoGroup.open();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            plain.join();
            assertInstanceOf(IllegalStateException.class, thrown.get());
            return null;
        });
    }

    @Test
    void currentIsEmptyWhenTheCallingThreadHasNoOpenGroup() throws Exception {
        Thredo.run(() -> {
            assertTrue(ThredoGroup.current().isEmpty());
            return null;
        });
    }

    @Test
    void currentIsEmptyOutsideAThredoThread() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Optional<ThredoGroup>> seen = new AtomicReference<>();
            try (ThredoGroup g = ThredoGroup.open()) {
                assertSame(g, ThredoGroup.current().orElseThrow());
                Thread plain = Thread.ofPlatform().start(() -> seen.set(ThredoGroup.current()));
                plain.join();
            }
            assertNotNull(seen.get());
            assertTrue(seen.get().isEmpty());
            return null;
        });
    }

    @Test
    void currentIsTheInnermostOpenGroupOfTheCallingThread() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup outer = ThredoGroup.open()) {
                assertSame(outer, ThredoGroup.current().orElseThrow());
                try (ThredoGroup inner = ThredoGroup.open(Wait.NONE)) {
                    assertSame(inner, ThredoGroup.current().orElseThrow());
                }
                assertSame(outer, ThredoGroup.current().orElseThrow());
            }
            assertTrue(ThredoGroup.current().isEmpty());
            return null;
        });
    }

    @Test
    void currentIsEmptyAfterTheGroupIsClosed() throws Exception {
        Thredo.run(() -> {
            ThredoGroup g = ThredoGroup.open();
            g.spawn(() -> 1);
            g.join();
            assertSame(g, ThredoGroup.current().orElseThrow(), "joined but not yet closed");
            g.close();
            assertTrue(ThredoGroup.current().isEmpty());
            return null;
        });
    }

    @Test
    void currentIsEmptyAfterTheGroupIsClosedByAnotherThread() throws Exception {
        Thredo.run(() -> {
            ThredoGroup g = ThredoGroup.open();
            Thredo.spawn(g::close).join();
            assertTrue(ThredoGroup.current().isEmpty());
            return null;
        });
    }

    @Test
    void memberDoesNotSeeTheGroupItBelongsTo() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Optional<ThredoGroup>> member = g.spawn(() -> ThredoGroup.current());
                ThredoThread<Boolean> memberWithOwnGroup = g.spawn(() -> {
                    try (ThredoGroup own = ThredoGroup.open()) {
                        return ThredoGroup.current().orElseThrow() == own;
                    }
                });
                g.join();
                assertTrue(member.resultNow().isEmpty(), () -> "member saw " + member.resultNow());
                assertTrue(memberWithOwnGroup.resultNow(), "a member sees a group it opened itself");
                assertSame(g, ThredoGroup.current().orElseThrow(), "the owner still sees it");
            }
            return null;
        });
    }

    @Test
    void otherThreadsDoNotSeeTheOwnersGroup() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                assertTrue(Thredo.spawn(() -> ThredoGroup.current()).join().isEmpty());
                assertSame(g, ThredoGroup.current().orElseThrow());
            }
            return null;
        });
    }

    // =============================================================================================
    // spawn
    // =============================================================================================

    @Test
    void spawnWithNameNamesTheMember() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<String> t = g.spawn("worker-1", () -> Thread.currentThread().getName());
                g.join();
                assertEquals("worker-1", t.name());
                assertEquals("worker-1", t.resultNow());
            }
            return null;
        });
    }

    @Test
    void spawnRunnableStartsAMemberWithANullResult() throws Exception {
        Thredo.run(() -> {
            AtomicBoolean ran = new AtomicBoolean();
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Void> t = g.spawn(() -> ran.set(true));
                g.join();
                assertTrue(ran.get());
                assertSucceededUncancelled(t);
                assertNull(t.resultNow());
                assertEquals(Arrays.asList((Object) null), g.results());
            }
            return null;
        });
    }

    @Test
    void spawnDaemonStartsADaemonMember() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> daemon = g.spawnDaemon(() -> 1);
                ThredoThread<Integer> member = g.spawn(() -> 2);
                g.join();
                assertTrue(daemon.isDaemon());
                assertFalse(member.isDaemon());
                assertEquals(List.of(daemon, member), g.threads());
            }
            return null;
        });
    }

    @Test
    void memberMaySpawnSiblingsIntoTheOpenGroupAndJoinWaitsForThem() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<ThredoThread<String>> parent = g.spawn("parent", () -> g.spawn("sibling", () -> {
                    Thredo.sleep(Duration.ofMillis(50)); // work, not synchronization
                    return "sibling";
                }));
                g.join();
                ThredoThread<String> sibling = parent.resultNow();
                assertSucceededUncancelled(sibling);
                assertEquals(List.of(parent, sibling), g.threads());
                assertEquals(List.of(sibling, "sibling"), g.results());
            }
            return null;
        });
    }

    /**
     * Happy Eyeballs (thredo's examples/happy.py): a connector member spawns staggered attempts into
     * the group while its owner is already blocked in {@code join()} with ANY. The first attempt to
     * connect wins; the rest, and the connector, are cancelled.
     */
    @Test
    void memberMaySpawnIntoTheGroupWhileTheOwnerJoinsWithAny() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                ThredoThread<?> owner = Thredo.current();
                try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                    ThredoThread<String> connector = g.spawn("connector", () -> {
                        awaitBlocked(k, owner, "ThredoGroup.join");
                        ThredoThread<String> a = g.spawn("attempt-a", () -> {
                            throw new ConnectException("refused");
                        });
                        Thredo.ignoreAfter(Duration.ofMillis(300), a::await); // staggered start
                        g.spawn("attempt-b", () -> sleepUntilCancelled()); // a black hole
                        g.spawn("attempt-c", () -> "connected via c");
                        return sleepUntilCancelled(); // the connector itself must not win
                    });
                    g.join();
                    List<ThredoThread<?>> ts = g.threads();
                    assertEquals(List.of("connector", "attempt-a", "attempt-b", "attempt-c"),
                            ts.stream().map(ThredoThread::name).toList());
                    assertSame(ts.get(3), g.completed().orElseThrow());
                    String result = g.result();
                    assertEquals("connected via c", result);
                    assertEquals(Outcome.FAILED, ts.get(1).outcome());
                    assertCancelled(ts.get(2));
                    assertCancelled(connector);
                }
                return null;
            });
        }
    }

    /** Happy Eyeballs done right with OBJECT: a failed attempt returns null and does not win. */
    @Test
    void happyEyeballsWithObjectPolicyLetsOnlyANonNullAttemptWin() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.OBJECT)) {
                g.spawn("connector", () -> {
                    ThredoThread<String> a = g.spawn("attempt-a", () -> (String) null); // refused
                    Thredo.ignoreAfter(Duration.ofMillis(300), a::await);
                    g.spawn("attempt-b", () -> sleepUntilCancelled());
                    g.spawn("attempt-c", () -> "connected via c");
                    return null;
                });
                g.join();
                List<ThredoThread<?>> ts = g.threads();
                assertEquals("attempt-c", g.completed().orElseThrow().name());
                String result = g.result();
                assertEquals("connected via c", result);
                assertSucceededUncancelled(ts.get(1));
                assertCancelled(ts.get(2));
            }
            return null;
        });
    }

    // =============================================================================================
    // join per policy
    // =============================================================================================

    @Test
    void allPolicyMemberCancelledFromOutsideEndsCancelledWithoutTearingDownSiblings() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                CountDownLatch go = new CountDownLatch(1);
                try (ThredoGroup g = ThredoGroup.open()) {
                    ThredoThread<Integer> t1 = g.spawn(() -> {
                        go.await();
                        return 1;
                    });
                    ThredoThread<Integer> t2 = g.spawn(() -> sleepUntilCancelled());
                    ThredoThread<Integer> t3 = g.spawn(() -> {
                        go.await();
                        return 3;
                    });
                    assertTrue(k.cancel(t2.id())); // an operator's cancel, e.g. over HTTP
                    t2.await();
                    assertCancelled(t2);
                    go.countDown();
                    g.join(); // no GroupFailed: a cancelled member is not a failure
                    assertSucceededUncancelled(t1);
                    assertSucceededUncancelled(t3);
                    assertEquals(Arrays.asList(1, null, 3), g.results());
                }
                return null;
            });
        }
    }

    /** DESIGN §6.6: a member dying of RuntimeException(InterruptedException) after its cancel is CANCELLED. */
    @Test
    void allPolicyMemberDyingOfAWrappedInterruptAfterItsCancelIsNotAFailure() throws Exception {
        Thredo.run(() -> {
            CountDownLatch never = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> sibling = g.spawn(() -> {
                    go.await();
                    return 1;
                });
                ThredoThread<Integer> wrapper = g.spawn(() -> {
                    try {
                        never.await();
                        return 2;
                    } catch (InterruptedException e) {
                        throw new RuntimeException("wrapped", e);
                    }
                });
                wrapper.cancel();
                assertCancelled(wrapper);
                assertInstanceOf(InterruptedException.class, wrapper.exceptionNow().getCause());
                go.countDown();
                g.join();
                assertSucceededUncancelled(sibling);
                assertEquals(Arrays.asList(1, null), g.results());
            }
            return null;
        });
    }

    @Test
    void memberLettingItsOwnThreadTimeoutEscapeIsAFailedMember() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Object> sibling = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Object> timedOut = g.spawn(() -> {
                    Object r = Thredo.timeoutAfter(Duration.ofMillis(50), () -> {
                        Thredo.sleep(LONG);
                        return null;
                    });
                    return r;
                });
                GroupFailed e = assertThrows(GroupFailed.class, g::join);
                assertEquals(Outcome.FAILED, timedOut.outcome());
                assertFalse(timedOut.isCancelled());
                assertEquals(List.of(timedOut), e.failures());
                assertInstanceOf(ThreadTimeout.class, e.getCause());
                assertCancelled(sibling);
            }
            return null;
        });
    }

    @Test
    void memberSpawnedAfterAnAllPolicyFailureIsCancelledAsItStarts() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Object> bad = g.spawn(() -> {
                    throw new IllegalStateException("x");
                });
                assertSame(bad, g.nextDone());
                ThredoThread<Object> late = g.spawn(() -> sleepUntilCancelled());
                late.await();
                assertCancelled(late);
                GroupFailed e = assertThrows(GroupFailed.class, g::join);
                assertEquals(List.of(bad), e.failures());
            }
            return null;
        });
    }

    @Test
    void anyPolicyWithEveryMemberCancelledFromOutsideJoinsWithoutWinner() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                ThredoThread<Integer> t1 = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<Integer> t2 = g.spawn(() -> sleepUntilCancelled());
                t1.cancel();
                t2.cancel();
                g.join();
                assertTrue(g.completed().isEmpty());
                assertThrows(IllegalStateException.class, g::result);
                assertEquals(Arrays.asList(null, null), g.results());
            }
            return null;
        });
    }

    @Test
    void anyPolicyDaemonSuccessDoesNotWin() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                ThredoThread<String> daemon = g.spawnDaemon(() -> "daemon");
                assertSame(daemon, g.nextDone());
                assertTrue(g.completed().isEmpty());
                ThredoThread<String> member = g.spawn(() -> "member");
                g.join();
                assertSame(member, g.completed().orElseThrow());
                String result = g.result();
                assertEquals("member", result);
            }
            return null;
        });
    }

    @Test
    void objectPolicyOnlyANonNullResultWins() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.OBJECT)) {
                ThredoThread<String> nothing = g.spawn(() -> (String) null);
                assertSame(nothing, g.nextDone());
                assertTrue(g.completed().isEmpty(), "a null result must not win");
                ThredoThread<String> loser = g.spawn(() -> sleepUntilCancelled());
                ThredoThread<String> winner = g.spawn(() -> "value");
                g.join();
                assertSame(winner, g.completed().orElseThrow());
                String result = g.result();
                assertEquals("value", result);
                assertSucceededUncancelled(nothing);
                assertCancelled(loser);
            }
            return null;
        });
    }

    @Test
    void objectPolicyWithOnlyNullResultsJoinsWithoutWinner() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.OBJECT)) {
                ThredoThread<String> a = g.spawn(() -> (String) null);
                ThredoThread<String> b = g.spawn(() -> (String) null);
                g.join();
                assertTrue(g.completed().isEmpty());
                assertThrows(IllegalStateException.class, g::result);
                assertSucceededUncancelled(a);
                assertSucceededUncancelled(b);
                assertEquals(Arrays.asList(null, null), g.results());
            }
            return null;
        });
    }

    @Test
    void nonePolicyJoinThrowsGroupFailedWhenAMemberHadFailed() throws Exception {
        Thredo.run(() -> {
            IllegalStateException cause = new IllegalStateException("x");
            try (ThredoGroup g = ThredoGroup.open(Wait.NONE)) {
                ThredoThread<Object> bad = g.spawn(() -> {
                    throw cause;
                });
                assertSame(bad, g.nextDone());
                ThredoThread<Object> worker = g.spawn(() -> sleepUntilCancelled());
                GroupFailed e = assertThrows(GroupFailed.class, g::join);
                assertEquals(List.of(bad), e.failures());
                assertSame(cause, e.getCause());
                assertCancelled(worker);
            }
            return null;
        });
    }

    // =============================================================================================
    // nextDone / nextResult
    // =============================================================================================

    @Test
    void nextResultReturnsTheNextFinishedMembersValue() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn(() -> 42);
                Integer r = g.nextResult();
                assertEquals(42, r);
                g.join();
            }
            return null;
        });
    }

    @Test
    void nextResultRethrowsAMembersCheckedExceptionUnwrapped() throws Exception {
        Thredo.run(() -> {
            IOException refused = new IOException("refused");
            try (ThredoGroup g = ThredoGroup.open(Wait.NONE)) {
                g.spawn(() -> {
                    throw refused;
                });
                IOException e = assertThrows(IOException.class, g::nextResult);
                assertSame(refused, e);
            }
            return null;
        });
    }

    @Test
    void nextResultOfACancelledMemberRethrowsTheMembersCancellationNotTheCallers() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Object> t = g.spawn(() -> sleepUntilCancelled());
                t.cancel();
                ThreadCancelled e = assertThrows(ThreadCancelled.class, g::nextResult);
                assertSame(t.exceptionNow(), e);
                Thredo.checkCancellation(); // the caller itself was not cancelled
                g.join();
            }
            return null;
        });
    }

    @Test
    void nextResultThrowsNoSuchElementExceptionWhenNoMemberIsLeft() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn(() -> 1);
                Integer r = g.nextResult();
                assertEquals(1, r);
                assertThrows(NoSuchElementException.class, g::nextResult);
                g.join();
            }
            return null;
        });
    }

    @Test
    void nextDoneIncludesDaemonMembers() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> daemon = g.spawnDaemon(() -> 1);
                assertSame(daemon, g.nextDone());
                assertNull(g.nextDone());
                g.join();
            }
            return null;
        });
    }

    @Test
    void nextDoneIsADeliveryPointForTheCallersDeadline() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Object> sleeper = g.spawn(() -> sleepUntilCancelled());
                long start = System.nanoTime();
                boolean completed = Thredo.ignoreAfter(Duration.ofMillis(100), () -> {
                    g.nextDone();
                });
                assertFalse(completed);
                assertTrue(System.nanoTime() - start < HANG_NANOS);
                assertFalse(sleeper.isDone(), "a deadline in nextDone is not a teardown");
            }
            return null;
        });
    }

    // =============================================================================================
    // completed / result / results / threads
    // =============================================================================================

    @Test
    void resultsBeforeJoinThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<Integer> t = g.spawn(() -> 1);
                t.join();
                assertThrows(IllegalStateException.class, g::results);
                g.join();
                assertEquals(List.of(1), g.results());
            }
            return null;
        });
    }

    @Test
    void resultsAreInSpawnOrderNotCompletionOrder() throws Exception {
        Thredo.run(() -> {
            CountDownLatch firstMayFinish = new CountDownLatch(1);
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<String> first = g.spawn(() -> {
                    firstMayFinish.await();
                    return "first";
                });
                ThredoThread<String> second = g.spawn(() -> "second");
                assertSame(second, g.nextDone());
                firstMayFinish.countDown();
                assertSame(first, g.nextDone());
                g.join();
                assertEquals(List.of("first", "second"), g.results());
            }
            return null;
        });
    }

    @Test
    void resultsThrowsGroupFailedWhenAMemberFailed() throws Exception {
        Thredo.run(() -> {
            IllegalStateException cause = new IllegalStateException("x");
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn(() -> 1);
                ThredoThread<Integer> bad = g.spawn(() -> {
                    throw cause;
                });
                assertThrows(GroupFailed.class, g::join);
                GroupFailed e = assertThrows(GroupFailed.class, g::results);
                assertEquals(List.of(bad), e.failures());
                assertSame(cause, e.getCause());
            }
            return null;
        });
    }

    /** DESIGN §3.4, read literally: results() throws if any member FAILED, even when ANY found a winner. */
    @Test
    void resultsThrowsGroupFailedUnderAnyWhenALoserFailedDespiteAWinner() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open(Wait.ANY)) {
                ThredoThread<String> bad = g.spawn(() -> {
                    throw new IllegalStateException("x");
                });
                assertSame(bad, g.nextDone());
                g.spawn(() -> "ok");
                g.join();
                String result = g.result();
                assertEquals("ok", result);
                GroupFailed e = assertThrows(GroupFailed.class, g::results);
                assertEquals(List.of(bad), e.failures());
            }
            return null;
        });
    }

    @Test
    void threadsListsEveryMemberEverSpawnedInSpawnOrder() throws Exception {
        Thredo.run(() -> {
            try (ThredoGroup g = ThredoGroup.open()) {
                ThredoThread<String> a = g.spawn("a", () -> "a");
                assertSame(a, g.nextDone()); // finished members stay listed
                ThredoThread<String> b = g.spawnDaemon(() -> sleepUntilCancelled());
                ThredoThread<ThredoThread<String>> c = g.spawn("c", () -> g.spawn("d", () -> "d"));
                ThredoThread<String> d = c.join();
                assertEquals(List.of(a, b, c, d), g.threads());
                g.join();
                assertEquals(List.of(a, b, c, d), g.threads());
            }
            return null;
        });
    }

    // =============================================================================================
    // close: nothing a group spawned outlives it
    // =============================================================================================

    @Test
    void closeIsIdempotent() throws Exception {
        Thredo.run(() -> {
            ThredoGroup g = ThredoGroup.open();
            ThredoThread<Object> t = g.spawn(() -> sleepUntilCancelled());
            g.close();
            assertCancelled(t);
            g.close();
            g.close();
            assertCancelled(t);
            assertTrue(ThredoGroup.current().isEmpty());
            return null;
        });
    }

    @Test
    void closeWithoutJoinCancelsRunningMembersAndWaitsForThem() throws Exception {
        Thredo.run(() -> {
            AtomicBoolean cleanupFinished = new AtomicBoolean();
            ThredoThread<Object> plain;
            ThredoThread<Object> slowToDie;
            ThredoThread<Object> daemon;
            try (ThredoGroup g = ThredoGroup.open()) {
                plain = g.spawn(() -> sleepUntilCancelled());
                slowToDie = g.spawn(() -> {
                    try {
                        return sleepUntilCancelled();
                    } finally {
                        Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(100)));
                        cleanupFinished.set(true);
                    }
                });
                daemon = g.spawnDaemon(() -> sleepUntilCancelled());
            } // no join
            assertTrue(cleanupFinished.get(), "close returned before a member had ended");
            assertCancelled(plain);
            assertCancelled(slowToDie);
            assertCancelled(daemon);
            return null;
        });
    }

    /** DESIGN §6.2: close must wait for members even though its caller's cancellation keeps firing. */
    @Test
    void closeByACancelledOwnerStillWaitsForEveryMember() throws Exception {
        Thredo.run(() -> {
            CountDownLatch inBody = new CountDownLatch(1);
            AtomicBoolean cleanupFinished = new AtomicBoolean();
            AtomicBoolean membersDoneAfterClose = new AtomicBoolean();
            AtomicBoolean cleanupFinishedAfterClose = new AtomicBoolean();
            ThredoThread<Object> owner = Thredo.spawn("owner", () -> {
                ThredoGroup g = ThredoGroup.open();
                try {
                    g.spawn(() -> sleepUntilCancelled());
                    g.spawn(() -> {
                        try {
                            return sleepUntilCancelled();
                        } finally {
                            Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(100)));
                            cleanupFinished.set(true);
                        }
                    });
                    inBody.countDown();
                    return sleepUntilCancelled(); // the owner is cancelled here and never joins
                } finally {
                    g.close();
                    membersDoneAfterClose.set(g.threads().stream().allMatch(ThredoThread::isDone));
                    cleanupFinishedAfterClose.set(cleanupFinished.get());
                }
            });
            inBody.await();
            owner.cancel();
            assertEquals(Outcome.CANCELLED, owner.outcome(), () -> String.valueOf(owner.exceptionNow()));
            assertTrue(membersDoneAfterClose.get(), "a member outlived close()");
            assertTrue(cleanupFinishedAfterClose.get(), "close returned before a member's cleanup had finished");
            return null;
        });
    }

    @Test
    void membersSpawnedByMembersDoNotOutliveClose() throws Exception {
        Thredo.run(() -> {
            CountDownLatch grandchildrenSpawned = new CountDownLatch(1);
            List<ThredoThread<?>> all;
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn(() -> {
                    for (int i = 0; i < 3; i++) {
                        g.spawn(() -> sleepUntilCancelled());
                    }
                    grandchildrenSpawned.countDown();
                    return sleepUntilCancelled();
                });
                grandchildrenSpawned.await();
                all = g.threads();
            }
            assertEquals(4, all.size());
            for (ThredoThread<?> t : all) {
                assertCancelled(t);
            }
            return null;
        });
    }

    @Test
    void closedGroupsMembersAreGoneFromTheKernelRegistry() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                List<ThredoThread<?>> all;
                try (ThredoGroup g = ThredoGroup.open("listed", Wait.ALL)) {
                    g.spawn(() -> sleepUntilCancelled());
                    g.spawn(() -> sleepUntilCancelled());
                    g.spawnDaemon(() -> sleepUntilCancelled());
                    all = g.threads();
                    for (ThredoThread<?> t : all) {
                        assertEquals("listed", k.thread(t.id()).orElseThrow().groupName());
                    }
                }
                for (ThredoThread<?> t : all) {
                    assertTrue(k.thread(t.id()).isEmpty(), () -> t + " is still listed after close()");
                }
                assertTrue(k.threads().stream().noneMatch(i -> "listed".equals(i.groupName())));
                return null;
            });
        }
    }

    // =============================================================================================
    // races
    // =============================================================================================

    /**
     * Members finish at the moment their owner is cancelled in join(): whichever wins, no member is
     * alive after close, none ends FAILED, and an owner whose join returned has every result.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void ownerCancelledAsMembersFinishLeavesNoMemberAliveAndConsistentResults() throws Exception {
        Thredo.run(() -> {
            int n = 4;
            List<Integer> expected = List.of(0, 1, 2, 3);
            int[] ownerOutcomes = new int[Outcome.values().length];
            for (int round = 0; round < 200; round++) {
                CountDownLatch ready = new CountDownLatch(1);
                CountDownLatch go = new CountDownLatch(1);
                AtomicReference<ThredoGroup> groupRef = new AtomicReference<>();
                AtomicBoolean allDoneAfterClose = new AtomicBoolean();
                ThredoThread<List<Object>> owner = Thredo.spawn("owner-" + round, () -> {
                    ThredoGroup g = ThredoGroup.open();
                    groupRef.set(g);
                    try {
                        for (int i = 0; i < n; i++) {
                            int v = i;
                            g.spawn(() -> {
                                go.await();
                                return v;
                            });
                        }
                        ready.countDown();
                        g.join();
                        return g.results();
                    } finally {
                        g.close();
                        allDoneAfterClose.set(g.threads().stream().allMatch(ThredoThread::isDone));
                    }
                });
                ready.await();
                if (round % 2 == 0) {
                    go.countDown();
                    owner.requestCancel();
                } else {
                    owner.requestCancel();
                    go.countDown();
                }
                owner.await();
                int r = round;
                assertTrue(allDoneAfterClose.get(), () -> "round " + r + ": a member outlived close()");
                List<ThredoThread<?>> members = groupRef.get().threads();
                assertEquals(n, members.size());
                for (ThredoThread<?> m : members) {
                    assertTrue(m.isDone());
                    assertTrue(m.outcome() == Outcome.SUCCEEDED || m.outcome() == Outcome.CANCELLED,
                            () -> "round " + r + ": " + m + " " + (m.outcome() == Outcome.FAILED ? m.exceptionNow() : ""));
                }
                ownerOutcomes[owner.outcome().ordinal()]++;
                switch (owner.outcome()) {
                    case SUCCEEDED -> {
                        assertEquals(expected, owner.resultNow(), "round " + r);
                        for (ThredoThread<?> m : members) {
                            assertEquals(Outcome.SUCCEEDED, m.outcome());
                        }
                    }
                    case CANCELLED -> assertInstanceOf(ThreadCancelled.class, owner.exceptionNow(), "round " + r);
                    default -> fail("round " + r + ": owner " + owner + " threw " + owner.exceptionNow());
                }
            }
            assertEquals(200, ownerOutcomes[Outcome.SUCCEEDED.ordinal()] + ownerOutcomes[Outcome.CANCELLED.ordinal()]);
            return null;
        });
    }

    /** Members keep spawning siblings while the group closes: every spawn that returned is a member, and none survives. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void membersSpawningWhileTheGroupClosesLeaveNoMemberAlive() throws Exception {
        Thredo.run(() -> {
            for (int round = 0; round < 100; round++) {
                AtomicInteger spawnedBySpawners = new AtomicInteger();
                CountDownLatch spawning = new CountDownLatch(2);
                List<ThredoThread<?>> spawners = new ArrayList<>();
                ThredoGroup g = ThredoGroup.open();
                try {
                    for (int s = 0; s < 2; s++) {
                        spawners.add(g.spawn(() -> {
                            for (int i = 0; i < 1000; i++) {
                                try {
                                    if (i % 10 == 0) {
                                        g.spawn(() -> sleepUntilCancelled());
                                    } else {
                                        g.spawn(() -> Thredo.sleep(Duration.ZERO));
                                    }
                                } catch (IllegalStateException closed) {
                                    return "closed";
                                }
                                spawnedBySpawners.incrementAndGet();
                                if (i == 5) {
                                    spawning.countDown();
                                }
                                Thread.yield();
                            }
                            return sleepUntilCancelled(); // spawned its fill before the close began
                        }));
                    }
                    spawning.await();
                } finally {
                    g.close();
                }
                List<ThredoThread<?>> members = g.threads();
                int r = round;
                for (ThredoThread<?> m : members) {
                    assertTrue(m.isDone(), () -> "round " + r + ": " + m + " outlived close()");
                    assertTrue(m.outcome() != Outcome.FAILED, () -> "round " + r + ": " + m + " " + m.exceptionNow());
                }
                assertEquals(2 + spawnedBySpawners.get(), members.size(), "round " + r);
                for (ThredoThread<?> s : spawners) {
                    assertTrue(s.isDone());
                }
            }
            return null;
        });
    }

    /**
     * Whoever sees a member done sees the group's reaction to it: a thread woken by the winner's end
     * finds the race won, so nothing it spawns afterwards can win instead (2 000 rounds).
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMemberSeenDoneHasAlreadyBeenCountedByItsGroup() throws Exception {
        java.util.concurrent.atomic.AtomicInteger unrecordedWins = new java.util.concurrent.atomic.AtomicInteger();
        Thredo.run(() -> {
            for (int round = 0; round < 2000; round++) {
                try (ThredoGroup race = ThredoGroup.open(ThredoGroup.Wait.OBJECT)) {
                    ThredoThread<String> a = race.spawn("A", () -> "A");
                    race.spawn("watcher", () -> {
                        a.await();
                        if (race.completed().isEmpty()) {
                            unrecordedWins.incrementAndGet();
                        }
                        return null;
                    });
                    race.join();
                    assertEquals("A", race.result());
                }
            }
            return null;
        });
        assertEquals(0, unrecordedWins.get(), "rounds where a member's end was visible before its group counted it");
    }
}
