package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN.md §3.3 (rev. 2) cancel actions: run instead of the interrupt, off the thread, never blocking
 * the canceller, at most once, never after the registration is closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancelActionTest {

    @Test
    void cancellationRunsTheActionInsteadOfInterrupting() throws Exception {
        try (Kernel k = Kernel.create()) {
            List<String> r = k.run(() -> {
                CountDownLatch inCall = new CountDownLatch(1);
                CountDownLatch ended = new CountDownLatch(1);
                AtomicReference<Thread> ranOn = new AtomicReference<>();
                ThredoThread<List<String>> child = Thredo.spawn(() -> {
                    List<String> seen = new ArrayList<>();
                    try (CancelAction onCancel = Thredo.onCancel(() -> {
                        ranOn.set(Thread.currentThread());
                        ended.countDown();
                    })) {
                        inCall.countDown();
                        // an "uninterruptible call": only the action ends it
                        while (!ended.await(10, TimeUnit.MILLISECONDS)) {
                            Thread.onSpinWait();
                        }
                        seen.add("interrupted in the call=" + Thread.currentThread().isInterrupted());
                        seen.add("hasRun=" + onCancel.hasRun());
                    }
                    seen.add("interrupted after close=" + Thread.currentThread().isInterrupted());
                    try {
                        Thredo.checkCancellation();
                    } catch (ThreadCancelled expected) {
                        seen.add("cancellation still pending");
                    }
                    return seen;
                });
                inCall.await();
                child.cancel();
                List<String> seen = new ArrayList<>(child.resultNow());
                seen.add("ran off the thread=" + (ranOn.get() != child.thread()));
                return seen;
            });
            assertEquals(List.of("interrupted in the call=false", "hasRun=true", "interrupted after close=true",
                    "cancellation still pending", "ran off the thread=true"), r);
        }
    }

    @Test
    void requestCancelDoesNotWaitForASlowAction() throws Exception {
        try (Kernel k = Kernel.create()) {
            long ms = k.run(() -> {
                CountDownLatch inCall = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                ThredoThread<Object> child = Thredo.spawn(() -> {
                    try (CancelAction onCancel = Thredo.onCancel(release::await)) {
                        inCall.countDown();
                        release.await(); // the call: no interrupt ends it, the action does
                    }
                    return null;
                });
                inCall.await();
                long t0 = System.nanoTime();
                child.requestCancel();
                long took = (System.nanoTime() - t0) / 1_000_000;
                release.countDown();
                child.await();
                return took;
            });
            assertTrue(ms < 1_000, "requestCancel blocked " + ms + " ms");
        }
    }

    @Test
    void expiredDeadlineRunsTheActionAndTheScopeTimesOut() throws Exception {
        try (Kernel k = Kernel.create()) {
            String r = k.run(() -> {
                CountDownLatch ended = new CountDownLatch(1);
                ThreadTimeout t = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(Duration.ofMillis(100), () -> {
                    try (CancelAction onCancel = Thredo.onCancel(ended::countDown)) {
                        ended.await(); // only the action ends it; no interrupt arrives
                        throw new IllegalStateException("call ended by its cancel action");
                    }
                }));
                return t.getCause().getMessage() + ", interrupted=" + Thread.currentThread().isInterrupted();
            });
            assertEquals("call ended by its cancel action, interrupted=false", r);
        }
    }

    @Test
    void registeringWhileCancelledThrowsAndRegistersNothing() throws Exception {
        try (Kernel k = Kernel.create()) {
            AtomicInteger runs = new AtomicInteger();
            k.run(() -> {
                ThredoThread<String> child = Thredo.spawn(() -> {
                    Thredo.current().requestCancel();
                    try {
                        Thredo.onCancel(runs::incrementAndGet);
                        return "registered";
                    } catch (ThreadCancelled expected) {
                        return "threw";
                    }
                });
                child.await();
                assertEquals("threw", child.resultNow());
                return null;
            });
            assertEquals(0, runs.get());
        }
    }

    @Test
    void theListingShowsANamedCallAsWhatTheThreadIsBlockedOn() throws Exception {
        try (Kernel k = Kernel.create()) {
            List<String> r = k.run(() -> {
                CountDownLatch inCall = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                ThredoThread<Object> child = Thredo.spawn("querier", () -> {
                    try (CancelAction onCancel = Thredo.onCancel("jdbc executeQuery", release::countDown)) {
                        inCall.countDown();
                        release.await();
                    }
                    return null;
                });
                inCall.await();
                ThreadInfo listed = k.threads().stream().filter(t -> t.id() == child.id()).findFirst().orElseThrow();
                ThreadInfo one = k.thread(child.id()).orElseThrow();
                child.cancel();
                return List.of(listed.state() + " " + listed.blockedOn(), one.state() + " " + one.blockedOn());
            });
            assertEquals(List.of("BLOCKED jdbc executeQuery", "BLOCKED jdbc executeQuery"), r);
        }
    }

    @Test
    void outsideAThredoThreadTheRegistrationIsInert() {
        AtomicInteger runs = new AtomicInteger();
        try (CancelAction onCancel = Thredo.onCancel(runs::incrementAndGet)) {
            assertFalse(onCancel.hasRun());
        }
        assertEquals(0, runs.get());
    }

    @Test
    void closingFromAnotherThreadIsRefused() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                try (CancelAction onCancel = Thredo.onCancel(() -> { })) {
                    ThredoThread<Throwable> other = Thredo.spawn(() -> {
                        try {
                            onCancel.close();
                            return null;
                        } catch (IllegalStateException expected) {
                            return expected;
                        }
                    });
                    other.join();
                    assertTrue(other.resultNow() instanceof IllegalStateException);
                }
                return null;
            });
        }
    }

    @Test
    void nestedRegistrationsRunTheInnermostAndRestoreTheOuter() throws Exception {
        try (Kernel k = Kernel.create()) {
            List<String> ran = k.run(() -> {
                List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
                CountDownLatch inner = new CountDownLatch(1);
                CountDownLatch outer = new CountDownLatch(1);
                CountDownLatch inCall = new CountDownLatch(1);
                ThredoThread<Object> child = Thredo.spawn(() -> {
                    try (CancelAction o = Thredo.onCancel(() -> {
                        log.add("outer");
                        outer.countDown();
                    })) {
                        try (CancelAction i = Thredo.onCancel(() -> {
                            log.add("inner");
                            inner.countDown();
                        })) {
                            inCall.countDown();
                            inner.await();
                        }
                        outer.await(); // the outer call: its action runs once the inner registration closed
                    }
                    return null;
                });
                inCall.await();
                child.cancel();
                return log;
            });
            assertEquals(List.of("inner", "outer"), ran);
        }
    }

    /**
     * The race of the contract: the action fires just as the call returns. The action must never
     * touch the resource after the registration's close returned (the thread gives it back then), and
     * runs at most once. Every round races a cancel against the close at a moving offset.
     */
    @Test
    void actionNeverRunsAfterCloseReturned() throws Exception {
        int rounds = Stress.size(3_000, 100_000);
        long start = System.nanoTime();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                for (int round = 0; round < rounds; round++) {
                    AtomicInteger runs = new AtomicInteger();
                    java.util.concurrent.atomic.AtomicBoolean givenBack = new java.util.concurrent.atomic.AtomicBoolean();
                    CountDownLatch registered = new CountDownLatch(1);
                    long offset = (round % 64) * 1_000L; // the span: 0 to 63 µs
                    ThredoThread<Void> child = Thredo.spawn(() -> {
                        try (CancelAction onCancel = Thredo.onCancel(() -> {
                            runs.incrementAndGet();
                            if (givenBack.get()) {
                                violations.incrementAndGet();
                            }
                            Stress.spin(2_000);
                            if (givenBack.get()) {
                                violations.incrementAndGet();
                            }
                        })) {
                            registered.countDown();
                            java.util.concurrent.locks.LockSupport.parkNanos(offset); // frees the carrier for the delivery
                        }
                        givenBack.set(true);
                    });
                    registered.await();
                    Stress.spin((round % 7) * 5_000L); // the cancel's delivery lands before, during or after the span
                    child.requestCancel();
                    child.await();
                    if (runs.get() > 1) {
                        violations.incrementAndGet();
                    }
                    ran.addAndGet(runs.get());
                }
                return null;
            });
        }
        Stress.report("cancel action vs close", "rounds=" + rounds + " ran=" + ran.get(), violations.get(), start);
        assertEquals(0, violations.get(), "an action ran after its registration closed, or twice");
        assertTrue(ran.get() > 0 && ran.get() < rounds, "the race never went both ways: it tested nothing");
    }
}
