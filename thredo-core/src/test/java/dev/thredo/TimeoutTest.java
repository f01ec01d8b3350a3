package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.function.Executable;

/**
 * Timeouts, ignore scopes, shields and deadlines: DESIGN.md §3.1 (timeoutAfter, ignoreAfter,
 * shield, deadline, sleep, checkCancellation), §3.3 (exceptions), §3.5 and pitfalls 1, 5 and 7.
 * Ports thredo's test_core timeout tests and curio's nested-timeout, task-cancel-timeout and
 * thread timeout/disable-cancellation tests.
 */
class TimeoutTest {
    private static final Duration LONG = Duration.ofSeconds(10);
    /** Generous upper bound for "fired promptly". */
    private static final long PROMPT_MS = 3_000;
    /** Instants from {@link Thredo#deadline()} are converted from the nano clock; allow for that. */
    private static final Duration INSTANT_SLACK = Duration.ofMillis(50);

    // ---------------------------------------------------------------------------------------------
    // helpers

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void assertElapsed(long startNanos, long atLeastMs, long belowMs) {
        long ms = elapsedMillis(startNanos);
        assertTrue(ms >= atLeastMs, "expected at least " + atLeastMs + " ms, took " + ms + " ms");
        assertTrue(ms < belowMs, "expected under " + belowMs + " ms, took " + ms + " ms");
    }

    /** Burns CPU for {@code d} without any blocking call. */
    private static void busy(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** What {@code e} threw, or {@code null}. */
    private static Throwable thrown(Executable e) {
        try {
            e.execute();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static String name(Throwable t) {
        return t == null ? "nothing" : t.getClass().getSimpleName();
    }

    private static void assertExactly(Class<? extends Throwable> expected, Throwable actual) {
        assertNotNull(actual, "expected " + expected.getSimpleName() + " but nothing was thrown");
        if (actual.getClass() != expected) {
            fail("expected exactly " + expected.getSimpleName() + " but got " + actual, actual);
        }
    }

    private static void assertNear(Instant expected, Instant actual) {
        Duration off = Duration.between(expected, actual).abs();
        assertTrue(off.compareTo(INSTANT_SLACK) <= 0, "expected ~" + expected + " but was " + actual + " (off by " + off + ")");
    }

    /** Runs {@code e} on a plain platform thread (not a thredo thread) and returns what it threw. */
    private static Throwable onPlainThread(Executable e) throws InterruptedException {
        AtomicReference<Throwable> out = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("plain").start(() -> out.set(thrown(e)));
        t.join();
        return out.get();
    }

    private static void coro(List<String> results, String name) {
        results.add(name + " start");
        Thredo.sleep(LONG);
        results.add(name + " done");
    }

    private static String classify(Throwable e, String name) {
        if (e instanceof ThreadTimeout) {
            return name + " timeout";
        }
        if (e instanceof TimeoutCancelled) {
            return name + " timeout cancel";
        }
        return name + " " + e;
    }

    private static final IOException BOOM = new IOException("boom");

    private static void failWithBoom() throws IOException {
        if (BOOM != null) {
            throw BOOM;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // thredo tests/test_core.py

    /** test_timeout. */
    @Test
    void aLimitThatComesOutAsExactlyZeroIsATimeLikeAnyOther() throws Exception {
        // nanoTime values are arbitrary: a computed limit may be exactly 0, which must not mean "no limit".
        Assumptions.assumeTrue(System.nanoTime() > 0, "0 is in the past of this JVM's nano clock");
        long limit = 0L;
        for (dev.thredo.internal.Parking.Mode mode : dev.thredo.internal.Parking.Mode.values()) {
            assertFalse(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> dev.thredo.internal.Parking.await(new dev.thredo.internal.Waiter<Void>(), "limit 0", mode, limit)),
                    "a plain thread's " + mode + " wait gives up at once");
        }
        try (Kernel k = Kernel.create()) {
            ThredoThread<Boolean> t = k.spawn(() -> dev.thredo.internal.Parking.await(new dev.thredo.internal.Waiter<Void>(),
                    "limit 0", dev.thredo.internal.Parking.Mode.HOLD, limit));
            assertFalse(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), t::join),
                    "a thredo thread's HOLD wait gives up at once");
        }
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutAfterEndsABlockedSleepWithThreadTimeout() throws Exception {
        Thredo.run(() -> {
            long t0 = System.nanoTime();
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ofMillis(250), () -> Thredo.sleep(LONG)));
            assertElapsed(t0, 250, PROMPT_MS);
            return null;
        });
    }

    /** test_timeout_context: the value-returning form. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutAfterValueFormEndsABlockedBodyWithThreadTimeout() throws Exception {
        Thredo.run(() -> {
            long t0 = System.nanoTime();
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ofMillis(250), () -> {
                Thredo.sleep(LONG);
                return "finished";
            }));
            assertElapsed(t0, 250, PROMPT_MS);
            return null;
        });
    }

    /** test_ignore. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterReturnsFalseEarlyOnItsOwnExpiry() throws Exception {
        Thredo.run(() -> {
            long t0 = System.nanoTime();
            boolean completed = Thredo.ignoreAfter(Duration.ofMillis(250), () -> Thredo.sleep(LONG));
            assertFalse(completed);
            assertElapsed(t0, 250, PROMPT_MS);
            return null;
        });
    }

    /** test_ignore_context: the value-returning form. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterValueFormReturnsEmptyEarlyOnItsOwnExpiry() throws Exception {
        Thredo.run(() -> {
            long t0 = System.nanoTime();
            Optional<String> r = Thredo.ignoreAfter(Duration.ofMillis(250), () -> {
                Thredo.sleep(LONG);
                return "finished";
            });
            assertEquals(Optional.empty(), r);
            assertElapsed(t0, 250, PROMPT_MS);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutAfterReturnsTheBodysValueWhenItFinishesInTime() throws Exception {
        Thredo.run(() -> {
            assertEquals("done", Thredo.timeoutAfter(LONG, () -> {
                Thredo.sleep(Duration.ofMillis(1));
                return "done";
            }));
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterReturnsTheValueOrTrueWhenTheBodyFinishesInTime() throws Exception {
        Thredo.run(() -> {
            assertEquals(Optional.of("done"), Thredo.ignoreAfter(LONG, () -> {
                Thredo.sleep(Duration.ofMillis(1));
                return "done";
            }));
            assertTrue(Thredo.ignoreAfter(LONG, () -> Thredo.sleep(Duration.ofMillis(1))));
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void zeroTimeoutExpiresAtTheFirstBlockingCall() throws Exception {
        Thredo.run(() -> {
            assertEquals(5, Thredo.timeoutAfter(Duration.ZERO, () -> 5), "a body that never blocks returns");
            long t0 = System.nanoTime();
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ZERO, () -> Thredo.sleep(LONG)));
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ofMillis(-5), () -> Thredo.sleep(LONG)));
            assertElapsed(t0, 0, PROMPT_MS);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void hugeTimeoutDoesNotOverflowOrFire() throws Exception {
        Thredo.run(() -> {
            Instant before = Instant.now();
            Thredo.timeoutAfter(Duration.ofSeconds(Long.MAX_VALUE), () -> {
                Instant d = Thredo.deadline().orElseThrow();
                assertTrue(d.isAfter(before.plus(Duration.ofDays(365 * 100))), "deadline " + d);
                Thredo.sleep(Duration.ofMillis(5));
            });
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // curio tests/test_kernel.py: nested timeouts

    /** test_nested_timeout: the parent's deadline passes first. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void nestedTimeoutOuterExpiryLeavesTheInnerScopeAsTimeoutCancelled() throws Exception {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        Thredo.run(() -> {
            try {
                Thredo.timeoutAfter(Duration.ofMillis(200), () -> { // parent
                    try {
                        Thredo.timeoutAfter(Duration.ofSeconds(5), () -> coro(results, "coro1"));
                        results.add("coro1 success");
                    } catch (ThreadCancelled e) {
                        results.add(classify(e, "coro1"));
                    }
                    coro(results, "coro2");
                    results.add("coro2 success");
                });
            } catch (ThreadTimeout e) {
                results.add("parent timeout");
            }
            return null;
        });
        assertEquals(List.of("coro1 start", "coro1 timeout cancel", "coro2 start", "parent timeout"), results);
    }

    /** test_nested_context_timeout: the same with value-returning scopes. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void nestedContextTimeoutOuterExpiryLeavesTheInnerScopeAsTimeoutCancelled() throws Exception {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        Thredo.run(() -> {
            try {
                String r = Thredo.timeoutAfter(Duration.ofMillis(200), () -> {
                    try {
                        String c1 = Thredo.timeoutAfter(Duration.ofSeconds(5), () -> {
                            coro(results, "coro1");
                            return "coro1 value";
                        });
                        results.add("coro1 success " + c1);
                    } catch (ThreadCancelled e) {
                        results.add(classify(e, "coro1"));
                    }
                    coro(results, "coro2");
                    results.add("coro2 success");
                    return "child value";
                });
                results.add("parent returned " + r);
            } catch (ThreadTimeout e) {
                results.add("parent timeout");
            }
            return null;
        });
        assertEquals(List.of("coro1 start", "coro1 timeout cancel", "coro2 start", "parent timeout"), results);
    }

    /** test_nested_context_timeout2: three levels, the outermost expires; both inner ones see TimeoutCancelled. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void nestedContextTimeout2BothInnerScopesLetTheOuterExpiryPassAsTimeoutCancelled() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Throwable parent = Thredo.run(() -> thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
            try {
                Thredo.timeoutAfter(Duration.ofSeconds(15), () -> { // coro2
                    try {
                        Thredo.timeoutAfter(Duration.ofSeconds(10), () -> Thredo.sleep(Duration.ofSeconds(5))); // coro1
                        seen.add("coro1 returned");
                    } catch (ThreadCancelled e) {
                        seen.add("coro1 " + name(e));
                        throw e;
                    }
                });
                seen.add("coro2 returned");
            } catch (ThreadCancelled e) {
                seen.add("coro2 " + name(e));
                throw e;
            }
        })));
        assertEquals(List.of("coro1 TimeoutCancelled", "coro2 TimeoutCancelled"), seen);
        assertInstanceOf(ThreadTimeout.class, parent);
    }

    private static String sleepFiveSeconds() {
        Thredo.sleep(Duration.ofSeconds(5));
        return "slept";
    }

    private static String coro1For3(List<String> seen) {
        try {
            return Thredo.timeoutAfter(Duration.ofSeconds(10), TimeoutTest::sleepFiveSeconds);
        } catch (ThreadCancelled e) {
            seen.add("coro1 " + name(e));
            throw e;
        }
    }

    private static String coro2For3(List<String> seen) {
        try {
            return Thredo.timeoutAfter(Duration.ofSeconds(15), () -> coro1For3(seen));
        } catch (ThreadCancelled e) {
            seen.add("coro2 " + name(e));
            throw e;
        }
    }

    /** test_nested_context_timeout3: as 2, with the scopes wrapping method calls. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void nestedContextTimeout3BothInnerScopesLetTheOuterExpiryPassAsTimeoutCancelled() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Throwable parent = Thredo.run(() -> thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> coro2For3(seen))));
        assertEquals(List.of("coro1 TimeoutCancelled", "coro2 TimeoutCancelled"), seen);
        assertInstanceOf(ThreadTimeout.class, parent);
    }

    /** test_nested_timeout_uncaught: an inner timeout escaping through an unexpired scope. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void nestedTimeoutUncaughtBecomesUncaughtTimeoutCausedByTheTimeout() throws Exception {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> cause = new AtomicReference<>();
        long t0 = System.nanoTime();
        Thredo.run(() -> {
            try {
                Thredo.timeoutAfter(LONG, () -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> coro(results, "coro1")));
            } catch (ThreadTimeout e) {
                results.add("parent timeout");
            } catch (UncaughtTimeout e) {
                results.add("uncaught timeout");
                cause.set(e.getCause());
            }
            return null;
        });
        assertEquals(List.of("coro1 start", "uncaught timeout"), results);
        assertInstanceOf(ThreadTimeout.class, cause.get(), "the cause of UncaughtTimeout is the escaped timeout");
        assertElapsed(t0, 100, PROMPT_MS);
    }

    /** test_nested_context_timeout_uncaught: value forms; UncaughtTimeout is not a cancellation. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void nestedContextTimeoutUncaughtIsNotACancellation() throws Exception {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        Throwable out = Thredo.run(() -> thrown(() -> Thredo.timeoutAfter(LONG, () -> {
            String child = Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
                coro(results, "coro1");
                return "coro1";
            });
            results.add("child returned " + child);
            return "parent";
        })));
        assertEquals(List.of("coro1 start"), results);
        assertInstanceOf(UncaughtTimeout.class, out);
        assertFalse(out instanceof ThreadCancelled, "UncaughtTimeout must not be a cancellation");
        assertInstanceOf(RuntimeException.class, out);
        assertInstanceOf(ThreadTimeout.class, out.getCause());
    }

    /**
     * test_nested_timeout_none, adapted (Java has no "None" delay): an inner scope with a later
     * deadline does not extend the outer one.
     */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void innerScopeWithALaterDeadlineDoesNotExtendTheOuterOne() throws Exception {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        Thredo.run(() -> {
            try {
                Thredo.timeoutAfter(Duration.ofMillis(200), () -> {
                    Instant outer = Thredo.deadline().orElseThrow();
                    Thredo.timeoutAfter(LONG, () -> {
                        assertNear(outer, Thredo.deadline().orElseThrow());
                        coro(results, "coro1");
                    });
                    results.add("coro1 success");
                    coro(results, "coro2");
                    results.add("coro2 success");
                });
            } catch (ThreadTimeout e) {
                results.add("parent timeout");
            }
            return null;
        });
        assertEquals(List.of("coro1 start", "parent timeout"), results);
        assertElapsed(t0, 200, PROMPT_MS);
    }

    /**
     * test_task_cancel_timeout: cancellation also cancels timeouts. The child is cancelled inside a
     * 500 ms scope, cleans up (shielded) past that deadline, and then still gets ThreadCancelled,
     * never ThreadTimeout.
     */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void cancelledThreadsPendingDeadlineNoLongerFires() throws Exception {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        Thredo.run(() -> {
            CountDownLatch started = new CountDownLatch(1);
            ThredoThread<Void> child = Thredo.spawn("child", () -> {
                results.add("child");
                try {
                    Thredo.timeoutAfter(Duration.ofMillis(500), () -> {
                        try {
                            started.countDown();
                            Thredo.sleep(LONG);
                        } catch (ThreadCancelled e) {
                            results.add("cancelled " + name(e));
                            Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(800))); // past the deadline
                            Throwable again = thrown(() -> Thredo.sleep(Duration.ZERO));
                            results.add("after cleanup " + name(again));
                            throw e;
                        }
                    });
                } catch (ThreadTimeout e) {
                    results.add("timeout");
                }
            });
            started.await();
            child.cancel();
            assertEquals(Outcome.CANCELLED, child.outcome());
            assertExactly(ThreadCancelled.class, child.exceptionNow());
            return null;
        });
        assertEquals(List.of("child", "cancelled ThreadCancelled", "after cleanup ThreadCancelled"), results);
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void cancellationWinsOverAnExpiredDeadlineAndLeavesTheScopeUnconverted() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> atBlockingPoint = new AtomicReference<>();
            ThredoThread<Void> child = Thredo.spawn(() -> Thredo.timeoutAfter(Duration.ofMillis(10), () -> {
                busy(Duration.ofMillis(50)); // the deadline has passed
                Thredo.current().requestCancel(); // and now a cancellation is pending too
                try {
                    Thredo.sleep(Duration.ZERO);
                } catch (Throwable e) {
                    atBlockingPoint.set(e);
                    throw e;
                }
            }));
            child.await();
            assertExactly(ThreadCancelled.class, atBlockingPoint.get());
            assertEquals(Outcome.CANCELLED, child.outcome());
            assertExactly(ThreadCancelled.class, child.exceptionNow());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // curio tests/test_thread.py

    /** test_thread_timeout: a timeout scope inside a spawned thread. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutScopeInsideASpawnedThread() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Throwable> t = Thredo.spawn(() -> thrown(
                    () -> Thredo.timeoutAfter(Duration.ofMillis(200), () -> Thredo.sleep(LONG))));
            assertInstanceOf(ThreadTimeout.class, t.join());
            assertEquals(Outcome.SUCCEEDED, t.outcome());
            assertFalse(t.isCancelled());
            return null;
        });
    }

    /**
     * test_thread_disable_cancellation, as a shield: a cancel arriving during the shield does not
     * end the shielded wait and is delivered, as ThreadCancelled, at the first blocking point after it.
     */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void shieldHoldsBackCancellationUntilTheFirstBlockingPointAfterIt() throws Exception {
        Thredo.run(() -> {
            CountDownLatch inShield = new CountDownLatch(1);
            CountDownLatch cancelRequested = new CountDownLatch(1);
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> r = new ArrayList<>();
                Thredo.shield(() -> {
                    inShield.countDown();
                    cancelRequested.await();
                    r.add("cancelled=" + Thredo.current().isCancelled());
                    long t0 = System.nanoTime();
                    Thredo.sleep(Duration.ofMillis(200));
                    r.add("shielded sleep completed=" + (elapsedMillis(t0) >= 200));
                    Thredo.checkCancellation();
                    r.add("checkCancellation held back");
                });
                long t0 = System.nanoTime();
                Throwable after = thrown(() -> Thredo.sleep(LONG));
                r.add("after shield " + name(after) + " promptly=" + (elapsedMillis(t0) < PROMPT_MS));
                return r;
            });
            inShield.await();
            assertTrue(child.requestCancel());
            cancelRequested.countDown();
            assertEquals(List.of("cancelled=true", "shielded sleep completed=true", "checkCancellation held back",
                    "after shield ThreadCancelled promptly=true"), child.join());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // §3.5 contract lines

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void effectiveDeadlineIsTheEarliestInForce() throws Exception {
        Thredo.run(() -> {
            assertEquals(Optional.empty(), Thredo.deadline(), "no scope, no deadline");
            Instant start = Instant.now();
            Thredo.timeoutAfter(LONG, () -> {
                Instant outer = Thredo.deadline().orElseThrow();
                assertNear(start.plus(LONG), outer);
                Thredo.timeoutAfter(Duration.ofSeconds(2), () -> {
                    Instant mid = Thredo.deadline().orElseThrow();
                    assertTrue(mid.isBefore(outer.minusSeconds(5)), "the earlier inner deadline wins: " + mid);
                    assertNear(start.plusSeconds(2), mid);
                    Thredo.timeoutAfter(Duration.ofSeconds(5), () -> assertNear(mid, Thredo.deadline().orElseThrow()));
                    assertNear(mid, Thredo.deadline().orElseThrow());
                });
                assertNear(outer, Thredo.deadline().orElseThrow());
            });
            assertEquals(Optional.empty(), Thredo.deadline(), "left every scope");
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void threadTimeoutIsThrownAtTheBlockingPoint() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> atBlockingPoint = new AtomicReference<>();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
                try {
                    Thredo.sleep(LONG);
                } catch (Throwable e) {
                    atBlockingPoint.set(e);
                    throw e;
                }
            }));
            assertInstanceOf(ThreadTimeout.class, atBlockingPoint.get());
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void outerExpirySeenAsThreadTimeoutAtTheBlockingPointInsideAnInnerScope() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> atBlockingPoint = new AtomicReference<>();
            AtomicReference<Throwable> leavingInner = new AtomicReference<>();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
                try {
                    Thredo.timeoutAfter(LONG, () -> {
                        try {
                            Thredo.sleep(LONG);
                        } catch (Throwable e) {
                            atBlockingPoint.set(e);
                            throw e;
                        }
                    });
                } catch (Throwable e) {
                    leavingInner.set(e);
                    throw e;
                }
            }));
            assertInstanceOf(ThreadTimeout.class, atBlockingPoint.get());
            assertInstanceOf(TimeoutCancelled.class, leavingInner.get());
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    /** Pitfall 5: the outermost of several expired scopes owns the timeout. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void whenSeveralScopesHaveExpiredTheOutermostThrowsThreadTimeout() throws Exception {
        Thredo.run(() -> {
            List<String> seen = new ArrayList<>();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> { // outer
                try {
                    Thredo.timeoutAfter(Duration.ofMillis(50), () -> { // middle: expires first
                        try {
                            Thredo.timeoutAfter(LONG, () -> { // inner: never expires
                                busy(Duration.ofMillis(200)); // both outer and middle pass
                                Thredo.sleep(LONG);
                            });
                        } catch (Throwable e) {
                            seen.add("inner " + name(e));
                            throw e;
                        }
                    });
                } catch (Throwable e) {
                    seen.add("middle " + name(e));
                    throw e;
                }
            }));
            assertEquals(List.of("inner TimeoutCancelled", "middle TimeoutCancelled"), seen);
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void innerRetryLoopCatchingThreadTimeoutCannotSwallowTheOuterTimeout() throws Exception {
        Thredo.run(() -> {
            int[] retries = {0};
            long t0 = System.nanoTime();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(300), () -> {
                while (true) {
                    try {
                        Thredo.timeoutAfter(Duration.ofMillis(20), () -> Thredo.sleep(LONG));
                        return;
                    } catch (ThreadTimeout e) {
                        retries[0]++; // our own attempt timed out: retry
                    }
                }
            }));
            assertInstanceOf(ThreadTimeout.class, out);
            assertTrue(retries[0] >= 1, "the inner attempts did time out and retry: " + retries[0]);
            assertElapsed(t0, 300, PROMPT_MS);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutCancelledIsNotAThreadTimeout() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> leavingInner = new AtomicReference<>();
            AtomicBoolean swallowed = new AtomicBoolean();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
                try {
                    Thredo.timeoutAfter(LONG, () -> Thredo.sleep(LONG));
                } catch (ThreadTimeout e) {
                    swallowed.set(true);
                } catch (ThreadCancelled e) {
                    leavingInner.set(e);
                    throw e;
                }
            }));
            Throwable inner = leavingInner.get();
            assertFalse(swallowed.get(), "catch (ThreadTimeout) caught the outer scope's expiry");
            assertInstanceOf(TimeoutCancelled.class, inner);
            assertFalse(inner instanceof ThreadTimeout, "TimeoutCancelled must not extend ThreadTimeout");
            assertInstanceOf(ThreadCancelled.class, inner);
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void expiredScopeStaysExpiredForEveryLaterBlockingCall() throws Exception {
        Thredo.run(() -> {
            long t0 = System.nanoTime();
            List<String> seen = new ArrayList<>();
            int caught = Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
                int n = 0;
                for (int i = 0; i < 3; i++) {
                    try {
                        Thredo.sleep(LONG);
                    } catch (ThreadTimeout e) {
                        n++;
                    }
                }
                seen.add("sleep(0) " + name(thrown(() -> Thredo.sleep(Duration.ZERO))));
                return n;
            });
            assertEquals(3, caught, "every retry inside the expired scope throws again");
            assertEquals(List.of("sleep(0) ThreadTimeout"), seen);
            assertElapsed(t0, 100, PROMPT_MS);
            assertDoesNotThrow(() -> Thredo.sleep(Duration.ofMillis(1)), "nothing is left over after the scope");
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void deadlinePassedWhileTheBodyNeverBlocksIsDroppedOnNormalExit() throws Exception {
        Thredo.run(() -> {
            int v = Thredo.timeoutAfter(Duration.ofMillis(20), () -> {
                busy(Duration.ofMillis(100));
                return 42;
            });
            assertEquals(42, v);
            assertEquals(Optional.empty(), Thredo.deadline());
            assertDoesNotThrow(() -> Thredo.sleep(Duration.ofMillis(1)), "the dropped deadline fires nowhere");
            assertFalse(Thredo.current().isCancelled());
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterReturnsTheValueWhenItsDeadlinePassesWithoutBlocking() throws Exception {
        Thredo.run(() -> {
            assertEquals(Optional.of("v"), Thredo.ignoreAfter(Duration.ofMillis(20), () -> {
                busy(Duration.ofMillis(100));
                return "v";
            }));
            assertTrue(Thredo.ignoreAfter(Duration.ofMillis(20), () -> busy(Duration.ofMillis(100))));
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void outerDeadlinePassedDuringANonBlockingInnerScopeFiresAtTheNextBlockingCall() throws Exception {
        Thredo.run(() -> {
            List<String> seen = new ArrayList<>();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(50), () -> {
                String inner = Thredo.timeoutAfter(LONG, () -> {
                    busy(Duration.ofMillis(150));
                    return "inner returned";
                });
                seen.add(inner);
                Thredo.sleep(LONG);
                seen.add("not reached");
            }));
            assertEquals(List.of("inner returned"), seen);
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterReturnsEmptyWhenTheBodyReturnedNull() throws Exception {
        Thredo.run(() -> {
            Optional<String> r = Thredo.ignoreAfter(LONG, () -> {
                Thredo.sleep(Duration.ofMillis(1));
                return (String) null;
            });
            assertEquals(Optional.empty(), r);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterDoesNotSwallowAnOuterScopesExpiry() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> leavingIgnore = new AtomicReference<>();
            List<String> seen = new ArrayList<>();
            long t0 = System.nanoTime();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
                try {
                    boolean completed = Thredo.ignoreAfter(LONG, () -> Thredo.sleep(LONG));
                    seen.add("ignoreAfter returned " + completed);
                } catch (Throwable e) {
                    leavingIgnore.set(e);
                    throw e;
                }
            }));
            assertEquals(List.of(), seen);
            assertInstanceOf(TimeoutCancelled.class, leavingIgnore.get());
            assertInstanceOf(ThreadTimeout.class, out);
            assertElapsed(t0, 100, PROMPT_MS);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterInsideATimeoutScopeSwallowsOnlyItsOwnExpiry() throws Exception {
        Thredo.run(() -> {
            String r = Thredo.timeoutAfter(LONG, () -> {
                boolean completed = Thredo.ignoreAfter(Duration.ofMillis(100), () -> Thredo.sleep(LONG));
                assertFalse(completed);
                Thredo.sleep(Duration.ofMillis(1)); // the outer scope is not expired
                return "outer body finished";
            });
            assertEquals("outer body finished", r);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void outermostIgnoreAfterSwallowsTheExpiryLeavingAnInnerTimeoutScope() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> leavingInner = new AtomicReference<>();
            Optional<String> r = Thredo.ignoreAfter(Duration.ofMillis(100), () -> {
                try {
                    return Thredo.timeoutAfter(LONG, () -> {
                        Thredo.sleep(LONG);
                        return "inner";
                    });
                } catch (Throwable e) {
                    leavingInner.set(e);
                    throw e;
                }
            });
            assertEquals(Optional.empty(), r);
            assertInstanceOf(TimeoutCancelled.class, leavingInner.get());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // shield

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void shieldHoldsBackAnEnclosingDeadlineUntilTheFirstBlockingPointAfterIt() throws Exception {
        Thredo.run(() -> {
            List<String> seen = new ArrayList<>();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(50), () -> {
                long t0 = System.nanoTime();
                Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(300)));
                seen.add("shielded sleep ran its 300 ms: " + (elapsedMillis(t0) >= 300));
                long t1 = System.nanoTime();
                try {
                    Thredo.sleep(LONG);
                } catch (ThreadTimeout e) {
                    seen.add("first blocking point after the shield: ThreadTimeout, promptly=" + (elapsedMillis(t1) < PROMPT_MS));
                    throw e;
                }
            }));
            assertEquals(List.of("shielded sleep ran its 300 ms: true",
                    "first blocking point after the shield: ThreadTimeout, promptly=true"), seen);
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void deadlineSetInsideAShieldStillFires() throws Exception {
        Thredo.run(() -> {
            long t0 = System.nanoTime();
            Thredo.timeoutAfter(LONG, () -> Thredo.shield(
                    () -> assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> Thredo.sleep(LONG)))));
            assertElapsed(t0, 100, PROMPT_MS);
            return null;
        });
    }

    /** The contract's cleanup idiom: shield(() -> timeoutAfter(d, cleanup)) in a cancelled thread. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void cleanupOfACancelledThreadIsBoundedByADeadlineInsideTheShield() throws Exception {
        Thredo.run(() -> {
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> r = new ArrayList<>();
                try {
                    Thredo.sleep(LONG);
                    r.add("not cancelled");
                } catch (ThreadCancelled e) {
                    r.add("cancelled " + name(e));
                    long t0 = System.nanoTime();
                    Throwable cleanup = thrown(() -> Thredo.shield(() -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> Thredo.sleep(LONG))));
                    long ms = elapsedMillis(t0);
                    r.add("cleanup " + name(cleanup) + " bounded=" + (ms >= 100 && ms < PROMPT_MS));
                    r.add("after cleanup " + name(thrown(() -> Thredo.sleep(LONG))));
                }
                return r;
            });
            child.requestCancel();
            assertEquals(List.of("cancelled ThreadCancelled", "cleanup ThreadTimeout bounded=true", "after cleanup ThreadCancelled"),
                    child.join());
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void deadlineIsEmptyInsideAShieldWithoutInnerDeadlines() throws Exception {
        Thredo.run(() -> {
            Thredo.timeoutAfter(LONG, () -> {
                assertTrue(Thredo.deadline().isPresent());
                Thredo.shield(() -> assertEquals(Optional.empty(), Thredo.deadline()));
                assertTrue(Thredo.deadline().isPresent(), "visible again after the shield");
            });
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void deadlineInsideAShieldIsTheOneSetInsideIt() throws Exception {
        Thredo.run(() -> {
            Thredo.timeoutAfter(Duration.ofSeconds(5), () -> Thredo.shield(() -> {
                Instant start = Instant.now();
                Thredo.timeoutAfter(Duration.ofSeconds(20), () -> assertNear(start.plusSeconds(20), Thredo.deadline().orElseThrow()));
            }));
            return null;
        });
    }

    /** Pitfall 7: a JDK call inside a shield is not interrupted by a cancel requested meanwhile. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void jdkCallInsideAShieldIsNotInterruptedByACancelRequestedMeanwhile() throws Exception {
        Thredo.run(() -> {
            CountDownLatch inShield = new CountDownLatch(1);
            CountDownLatch cancelRequested = new CountDownLatch(1);
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> r = new ArrayList<>();
                Thredo.shield(() -> {
                    inShield.countDown();
                    try {
                        cancelRequested.await();
                        long t0 = System.nanoTime();
                        Thread.sleep(200); // the interrupt delivery races with this
                        r.add("JDK sleep completed=" + (elapsedMillis(t0) >= 200));
                    } catch (InterruptedException e) {
                        r.add("interrupted inside the shield");
                    }
                });
                return r;
            });
            inShield.await();
            assertTrue(child.requestCancel());
            cancelRequested.countDown();
            assertEquals(List.of("JDK sleep completed=true"), child.join());
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void heldBackCancelInterruptsTheFirstJdkBlockingCallAfterTheShield() throws Exception {
        Thredo.run(() -> {
            CountDownLatch inShield = new CountDownLatch(1);
            CountDownLatch cancelRequested = new CountDownLatch(1);
            ThredoThread<String> child = Thredo.spawn(() -> {
                Thredo.shield(() -> {
                    inShield.countDown();
                    cancelRequested.await();
                    Thread.sleep(50);
                });
                long t0 = System.nanoTime();
                try {
                    Thread.sleep(LONG.toMillis());
                    return "JDK sleep after the shield was not interrupted";
                } catch (InterruptedException e) {
                    return "interrupted promptly=" + (elapsedMillis(t0) < PROMPT_MS);
                }
            });
            inShield.await();
            assertTrue(child.requestCancel());
            cancelRequested.countDown();
            assertEquals("interrupted promptly=true", child.join());
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void jdkCallInsideAShieldIsNotInterruptedByACancelDeliveredBeforeTheShield() throws Exception {
        Thredo.run(() -> {
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> r = new ArrayList<>();
                r.add("before " + name(thrown(() -> Thredo.sleep(LONG)))); // the cancel lands here
                Thredo.shield(() -> {
                    try {
                        long t0 = System.nanoTime();
                        Thread.sleep(100);
                        r.add("JDK sleep in shield completed=" + (elapsedMillis(t0) >= 100));
                    } catch (InterruptedException e) {
                        r.add("interrupted inside the shield");
                    }
                });
                r.add("after " + name(thrown(() -> Thredo.sleep(LONG))));
                return r;
            });
            child.requestCancel();
            assertEquals(List.of("before ThreadCancelled", "JDK sleep in shield completed=true", "after ThreadCancelled"), child.join());
            return null;
        });
    }

    private record CpuSample(long cpuNanos, long wallNanos, String after) {
    }

    private static void assertNoSpin(CpuSample s) {
        long cpuMs = s.cpuNanos() / 1_000_000;
        long wallMs = s.wallNanos() / 1_000_000;
        assertTrue(wallMs >= 500, "the shielded sleep must have waited its 500 ms, took " + wallMs + " ms");
        assertTrue(cpuMs < 100, "shielded wait burned " + cpuMs + " ms CPU in " + wallMs + " ms wall (spinning)");
    }

    private static ThreadMXBean cpuClock() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isCurrentThreadCpuTimeSupported(), "thread CPU time not supported");
        if (!mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        return mx;
    }

    private static CpuSample shieldedSleepSample(ThreadMXBean mx) {
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(500)));
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        return new CpuSample(cpu, wall, name(thrown(() -> Thredo.sleep(LONG))));
    }

    /** Pitfall 1: a cancelled thread (interrupt flag armed) waiting shielded must park, not spin. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void shieldedWaitOfACancelledThreadDoesNotSpin() throws Exception {
        ThreadMXBean mx = cpuClock();
        try (Kernel kernel = Kernel.builder().name("timeout-test-cpu").platformThreads().build()) {
            CpuSample s = kernel.run(() -> {
                ThredoThread<CpuSample> child = Thredo.spawn(() -> {
                    assertFalse(Thread.currentThread().isVirtual());
                    assertInstanceOf(ThreadCancelled.class, thrown(() -> Thredo.sleep(LONG)));
                    return shieldedSleepSample(mx);
                });
                child.requestCancel();
                return child.join();
            });
            assertNoSpin(s);
            assertEquals("ThreadCancelled", s.after());
        }
    }

    /** Pitfall 1: a cancel arriving during a shielded wait must not make it spin either. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void shieldedWaitDoesNotSpinWhenCancelledDuringIt() throws Exception {
        ThreadMXBean mx = cpuClock();
        try (Kernel kernel = Kernel.builder().name("timeout-test-cpu").platformThreads().build()) {
            CpuSample s = kernel.run(() -> {
                CountDownLatch started = new CountDownLatch(1);
                ThredoThread<CpuSample> child = Thredo.spawn(() -> {
                    assertFalse(Thread.currentThread().isVirtual());
                    started.countDown();
                    return shieldedSleepSample(mx);
                });
                started.await();
                awaitBlocked(kernel, child, "sleep"); // inside the shielded sleep
                child.requestCancel();
                return child.join();
            });
            assertNoSpin(s);
            assertEquals("ThreadCancelled", s.after());
        }
    }

    /** Pitfall 1: an interrupt from outside during a shielded wait is a held-back cancellation, not a spin. */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void shieldedWaitDoesNotSpinWhenInterruptedFromOutside() throws Exception {
        ThreadMXBean mx = cpuClock();
        try (Kernel kernel = Kernel.builder().name("timeout-test-cpu").platformThreads().build()) {
            CpuSample s = kernel.run(() -> {
                CountDownLatch started = new CountDownLatch(1);
                ThredoThread<CpuSample> child = Thredo.spawn(() -> {
                    started.countDown();
                    return shieldedSleepSample(mx);
                });
                started.await();
                awaitBlocked(kernel, child, "sleep"); // inside the shielded sleep
                child.thread().interrupt();
                return child.join();
            });
            assertNoSpin(s);
            assertEquals("ThreadCancelled", s.after());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // bodies throwing checked exceptions

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void checkedExceptionLeavesTimeoutAfterUnchanged() throws Exception {
        Thredo.run(() -> {
            IOException value = assertThrows(IOException.class, () -> Thredo.timeoutAfter(LONG, () -> {
                throw BOOM;
            }));
            assertSame(BOOM, value);
            IOException voidForm = assertThrows(IOException.class, () -> Thredo.timeoutAfter(LONG, TimeoutTest::failWithBoom));
            assertSame(BOOM, voidForm);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void checkedExceptionLeavesIgnoreAfterUnchanged() throws Exception {
        Thredo.run(() -> {
            IOException value = assertThrows(IOException.class, () -> Thredo.ignoreAfter(LONG, () -> {
                throw BOOM;
            }));
            assertSame(BOOM, value);
            IOException voidForm = assertThrows(IOException.class, () -> Thredo.ignoreAfter(LONG, TimeoutTest::failWithBoom));
            assertSame(BOOM, voidForm);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void checkedExceptionLeavesShieldUnchanged() throws Exception {
        Thredo.run(() -> {
            IOException value = assertThrows(IOException.class, () -> Thredo.shield(() -> {
                throw BOOM;
            }));
            assertSame(BOOM, value);
            IOException voidForm = assertThrows(IOException.class, () -> Thredo.shield(TimeoutTest::failWithBoom));
            assertSame(BOOM, voidForm);
            assertEquals("v", Thredo.shield(() -> "v"));
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void uncheckedExceptionLeavesNestedScopesUnchanged() throws Exception {
        Thredo.run(() -> {
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            Throwable out = thrown(() -> Thredo.timeoutAfter(LONG, () -> Thredo.shield(
                    () -> Thredo.ignoreAfter(LONG, () -> Thredo.timeoutAfter(LONG, () -> {
                        throw boom;
                    })))));
            assertSame(boom, out);
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // sleep(ZERO) and checkCancellation

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void sleepZeroIsACancellationPoint() throws Exception {
        Thredo.run(() -> {
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> r = new ArrayList<>();
                r.add("before cancel " + name(thrown(() -> Thredo.sleep(Duration.ZERO))));
                Thredo.current().requestCancel();
                r.add("after cancel " + name(thrown(() -> Thredo.sleep(Duration.ZERO))));
                return r;
            });
            assertEquals(List.of("before cancel nothing", "after cancel ThreadCancelled"), child.join());
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void sleepZeroDeliversAnExpiredDeadline() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> atSleep = new AtomicReference<>();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(10), () -> {
                busy(Duration.ofMillis(50));
                try {
                    Thredo.sleep(Duration.ZERO);
                } catch (Throwable e) {
                    atSleep.set(e);
                    throw e;
                }
            }));
            assertInstanceOf(ThreadTimeout.class, atSleep.get());
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void checkCancellationThrowsThePendingCancellation() throws Exception {
        Thredo.run(() -> {
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> r = new ArrayList<>();
                r.add("nothing pending: " + name(thrown(Thredo::checkCancellation)));
                Thredo.current().requestCancel();
                r.add("pending: " + name(thrown(Thredo::checkCancellation)));
                r.add("still pending: " + name(thrown(Thredo::checkCancellation)));
                return r;
            });
            assertEquals(List.of("nothing pending: nothing", "pending: ThreadCancelled", "still pending: ThreadCancelled"), child.join());
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void checkCancellationThrowsAnExpiredDeadline() throws Exception {
        Thredo.run(() -> {
            AtomicReference<Throwable> atCheck = new AtomicReference<>();
            Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(20), () -> {
                assertNull(thrown(Thredo::checkCancellation), "not expired yet");
                busy(Duration.ofMillis(80));
                try {
                    Thredo.checkCancellation();
                } catch (Throwable e) {
                    atCheck.set(e);
                    throw e;
                }
            }));
            assertInstanceOf(ThreadTimeout.class, atCheck.get());
            assertInstanceOf(ThreadTimeout.class, out);
            return null;
        });
    }

    /**
     * A timeout is not a cancellation: after a ThreadTimeout that checkCancellation reported has
     * left its scope, the thread is not cancelled and its next blocking calls work.
     */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutReportedByCheckCancellationDoesNotCancelTheThread() throws Exception {
        Thredo.run(() -> {
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> r = new ArrayList<>();
                r.add("scope: " + name(thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(20), () -> {
                    busy(Duration.ofMillis(60));
                    Thredo.checkCancellation();
                }))));
                r.add("next sleep: " + name(thrown(() -> Thredo.sleep(Duration.ofMillis(1)))));
                r.add("cancelled=" + Thredo.current().isCancelled());
                return r;
            });
            assertEquals(List.of("scope: ThreadTimeout", "next sleep: nothing", "cancelled=false"), child.join());
            assertEquals(Outcome.SUCCEEDED, child.outcome());
            return null;
        });
    }

    /**
     * The same defect seen inside the scope: once checkCancellation has reported the expired
     * deadline, the scope must stay expired (ThreadTimeout at every later blocking call), not turn
     * into a cancellation of the thread.
     */
    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void expiredScopeStillThrowsThreadTimeoutAfterCheckCancellationReportedIt() throws Exception {
        Thredo.run(() -> {
            ThredoThread<List<String>> child = Thredo.spawn(() -> {
                List<String> seen = new ArrayList<>();
                Throwable out = thrown(() -> Thredo.timeoutAfter(Duration.ofMillis(20), () -> {
                    busy(Duration.ofMillis(60));
                    seen.add("checkCancellation " + name(thrown(Thredo::checkCancellation)));
                    seen.add("sleep(0) " + name(thrown(() -> Thredo.sleep(Duration.ZERO))));
                }));
                seen.add("scope " + name(out));
                return seen;
            });
            assertEquals(List.of("checkCancellation ThreadTimeout", "sleep(0) ThreadTimeout", "scope nothing"), child.join());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // outside a thredo thread

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void deadlineIsEmptyOutsideAThredoThread() throws Exception {
        Thredo.run(() -> {
            Thredo.timeoutAfter(LONG, () -> {
                assertTrue(Thredo.deadline().isPresent());
                // even while the spawning thredo thread has a deadline in force
                assertNull(onPlainThread(() -> assertEquals(Optional.empty(), Thredo.deadline())));
            });
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutAfterOutsideAThredoThreadThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            AtomicBoolean ran = new AtomicBoolean();
            assertInstanceOf(IllegalStateException.class, onPlainThread(() -> Thredo.timeoutAfter(LONG, () -> ran.set(true))));
            assertFalse(ran.get(), "the body must not run");
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterOutsideAThredoThreadThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            AtomicBoolean ran = new AtomicBoolean();
            assertInstanceOf(IllegalStateException.class, onPlainThread(() -> Thredo.ignoreAfter(LONG, () -> ran.set(true))));
            assertFalse(ran.get(), "the body must not run");
            return null;
        });
    }

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void shieldOutsideAThredoThreadThrowsIllegalStateException() throws Exception {
        Thredo.run(() -> {
            AtomicBoolean ran = new AtomicBoolean();
            assertInstanceOf(IllegalStateException.class, onPlainThread(() -> Thredo.shield(() -> ran.set(true))));
            assertFalse(ran.get(), "the body must not run");
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // join under a timeout

    @Test
    @Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void timeoutOfAJoinFiresAndTheJoinedThreadKeepsRunning() throws Exception {
        Thredo.run(() -> {
            CountDownLatch release = new CountDownLatch(1);
            ThredoThread<Integer> t = Thredo.spawn(() -> {
                release.await();
                return 7;
            });
            long t0 = System.nanoTime();
            assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> t.join()));
            assertElapsed(t0, 100, PROMPT_MS);
            assertFalse(t.isDone(), "the joined thread must keep running");
            assertFalse(t.isCancelled(), "the joined thread must not be cancelled");
            assertEquals(Outcome.RUNNING, t.outcome());
            release.countDown();
            assertEquals(7, t.join());
            assertEquals(Outcome.SUCCEEDED, t.outcome());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // races

    private static final int ROUNDS = 2_000;

    @Test
    @Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
    void deadlineRacingTheLastBlockingCallEitherReturnsOrThrowsThreadTimeout() throws Exception {
        Thredo.run(() -> {
            Random random = new Random(42);
            int returned = 0;
            int timedOut = 0;
            List<String> unexpected = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                Duration sleep = Duration.ofNanos(800_000 + random.nextInt(400_000)); // 0.8 .. 1.2 ms vs a 1 ms deadline
                try {
                    Thredo.timeoutAfter(Duration.ofMillis(1), () -> Thredo.sleep(sleep));
                    returned++;
                } catch (ThreadTimeout e) {
                    timedOut++;
                } catch (Throwable e) {
                    unexpected.add("round " + i + ": " + e);
                }
            }
            assertEquals(List.of(), unexpected);
            assertEquals(ROUNDS, returned + timedOut);
            assertFalse(Thredo.current().isCancelled());
            assertEquals(Optional.empty(), Thredo.deadline());
            assertDoesNotThrow(() -> Thredo.sleep(Duration.ZERO));
            return null;
        });
    }

    @Test
    @Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
    void nestedDeadlinesRacingTheBodyEitherReturnOrThrowTheOuterThreadTimeout() throws Exception {
        Thredo.run(() -> {
            Random random = new Random(7);
            int returned = 0;
            int timedOut = 0;
            List<String> unexpected = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                Duration outer = Duration.ofNanos(1_000_000 + random.nextInt(1_000_000));
                Duration inner = Duration.ofNanos(500_000 + random.nextInt(1_000_000));
                Duration first = Duration.ofNanos(500_000 + random.nextInt(1_000_000));
                Duration second = Duration.ofNanos(random.nextInt(500_000));
                try {
                    Thredo.timeoutAfter(outer, () -> {
                        try {
                            Thredo.timeoutAfter(inner, () -> Thredo.sleep(first));
                        } catch (ThreadTimeout e) {
                            // our own inner attempt timed out; an outer expiry is TimeoutCancelled and passes
                        }
                        Thredo.sleep(second);
                    });
                    returned++;
                } catch (ThreadTimeout e) {
                    timedOut++;
                } catch (Throwable e) {
                    unexpected.add("round " + i + ": " + e);
                }
            }
            assertEquals(List.of(), unexpected);
            assertEquals(ROUNDS, returned + timedOut);
            assertFalse(Thredo.current().isCancelled());
            assertEquals(Optional.empty(), Thredo.deadline());
            return null;
        });
    }

    @Test
    @Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
    void ignoreAfterRacingTheLastBlockingCallNeverThrows() throws Exception {
        Thredo.run(() -> {
            Random random = new Random(99);
            int completed = 0;
            int expired = 0;
            List<String> unexpected = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                Duration sleep = Duration.ofNanos(800_000 + random.nextInt(400_000));
                try {
                    if (Thredo.ignoreAfter(Duration.ofMillis(1), () -> Thredo.sleep(sleep))) {
                        completed++;
                    } else {
                        expired++;
                    }
                } catch (Throwable e) {
                    unexpected.add("round " + i + ": " + e);
                }
            }
            assertEquals(List.of(), unexpected);
            assertEquals(ROUNDS, completed + expired);
            assertFalse(Thredo.current().isCancelled());
            return null;
        });
    }
}
