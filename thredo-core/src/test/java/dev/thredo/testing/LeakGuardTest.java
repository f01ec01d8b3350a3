package dev.thredo.testing;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.thredo.Event;
import dev.thredo.Kernel;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@link LeakGuard} fails what leaks, names it, and lets through what ends within its grace period.
 * Each test runs a sample class (below) through JUnit's {@link EngineTestKit} with the guard
 * auto-detected as in the build, asserts the outcome and message, then releases what the sample
 * left behind, so that the guard around this test itself sees nothing left.
 */
@Timeout(30)
class LeakGuardTest {
    static final String SAMPLES_ENABLED = "thredo.leakguard.samples";

    @Test
    void aLiveThredoThreadFailsTheTestAndIsNamed() throws Exception {
        try {
            String failure = onlyFailure(run(LeaksThredoThread.class, Duration.ofMillis(50)).testEvents());
            assertTrue(failure.contains("LeakGuard: test " + LeaksThredoThread.class.getName() + " > leaves()"), failure);
            assertTrue(failure.contains("thredo thread #1 \"leaky-worker\" BLOCKED blocked on Event.await"), failure);
            assertTrue(failure.contains("kernel \"leaky\""), failure);
        } finally {
            LeaksThredoThread.release.set();
            LeaksThredoThread.kernel.close();
        }
    }

    @Test
    void anOpenGroupFailsTheTestWithItsMembers() throws Exception {
        try {
            String failure = onlyFailure(run(LeaksGroup.class, Duration.ofMillis(50)).testEvents());
            assertTrue(failure.contains("\"member\" BLOCKED blocked on Event.await group #1 \"forgotten\""), failure);
            assertTrue(failure.contains("1 thredo group(s) opened and not closed in kernel \"leaky\""), failure);
            assertTrue(failure.contains("(groups of the leaked threads: #1 \"forgotten\")"), failure);
        } finally {
            LeaksGroup.release.set();
            LeaksGroup.group.get().close();
            LeaksGroup.kernel.close();
        }
    }

    @Test
    void aNewNonDaemonJvmThreadFailsTheTestAndIsNamed() throws Exception {
        try {
            String failure = onlyFailure(run(LeaksJvmThread.class, Duration.ofMillis(50)).testEvents());
            assertTrue(failure.contains("non-daemon JVM thread \"leaky-platform\""), failure);
            assertTrue(failure.contains("WAITING"), failure);
        } finally {
            LeaksJvmThread.release.countDown();
            LeaksJvmThread.thread.join();
        }
    }

    @Test
    void whatAClassLeavesOutsideItsTestsFailsTheClass() throws Exception {
        try {
            EngineExecutionResults results = run(LeaksInBeforeAll.class, Duration.ofMillis(50));
            results.testEvents().assertStatistics(s -> s.succeeded(1).failed(0)); // the thread is in its baseline
            String failure = onlyFailure(results.containerEvents());
            assertTrue(failure.contains("LeakGuard: test class " + LeaksInBeforeAll.class.getName()
                    + " (outside its tests)"), failure);
            assertTrue(failure.contains("non-daemon JVM thread \"class-leak\""), failure);
        } finally {
            LeaksInBeforeAll.release.countDown();
            LeaksInBeforeAll.thread.join();
        }
    }

    @Test
    void threadsStillEndingAfterTheTestAreWaitedForNotReported() {
        EngineExecutionResults results = run(SlowToEnd.class, Duration.ofSeconds(10));
        results.allEvents().assertStatistics(s -> s.failed(0));
        results.testEvents().assertStatistics(s -> s.succeeded(2));
    }

    /** Runs {@code sample} as the build would, with the guard auto-detected and the given grace. */
    private static EngineExecutionResults run(Class<?> sample, Duration grace) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(LeakGuard.GRACE_PARAMETER, Long.toString(grace.toMillis()))
                .configurationParameter(SAMPLES_ENABLED, "true")
                .selectors(selectClass(sample))
                .execute();
    }

    private static String onlyFailure(Events events) {
        List<Throwable> failures = events.failed().stream()
                .map(e -> e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .toList();
        assertEquals(1, failures.size(), () -> "failures: " + failures);
        return failures.getFirst().getMessage();
    }

    /**
     * Keeps the samples from running anywhere but through {@link #run}: surefire skips nested classes,
     * but an IDE running a whole package would find them.
     */
    static final class OnlyThroughTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(SAMPLES_ENABLED, Boolean::parseBoolean).orElse(false)
                    ? ConditionEvaluationResult.enabled("run by LeakGuardTest")
                    : ConditionEvaluationResult.disabled("a LeakGuardTest sample: leaks on purpose");
        }
    }

    @ExtendWith(OnlyThroughTestKit.class)
    static class LeaksThredoThread {
        static final Event release = new Event();
        static volatile Kernel kernel;

        @Test
        void leaves() {
            kernel = Kernel.builder().name("leaky").build();
            ThredoThread<Void> worker = kernel.spawn("leaky-worker", (Runnable) release::await);
            awaitBlocked(kernel, worker, "Event.await");
        }
    }

    @ExtendWith(OnlyThroughTestKit.class)
    static class LeaksGroup {
        static final Event release = new Event();
        static final AtomicReference<ThredoGroup> group = new AtomicReference<>();
        static volatile Kernel kernel;

        @Test
        void leaves() throws Exception {
            kernel = Kernel.builder().name("leaky").build();
            ThredoThread<?> member = kernel.run(() -> {
                ThredoGroup g = ThredoGroup.open("forgotten", ThredoGroup.Wait.ALL);
                group.set(g);
                return g.spawn("member", (Runnable) release::await); // and return without closing g
            });
            awaitBlocked(kernel, member, "Event.await");
        }
    }

    @ExtendWith(OnlyThroughTestKit.class)
    static class LeaksJvmThread {
        static final CountDownLatch release = new CountDownLatch(1);
        static volatile Thread thread;

        @Test
        void leaves() {
            thread = Thread.ofPlatform().name("leaky-platform").start(() -> awaitRelease(release));
            // The guard's report names the state: let the thread get to its wait first.
            Polling.until("leaky-platform waits", () -> thread.getState() == Thread.State.WAITING);
        }
    }

    @ExtendWith(OnlyThroughTestKit.class)
    static class LeaksInBeforeAll {
        static final CountDownLatch release = new CountDownLatch(1);
        static volatile Thread thread;

        @BeforeAll
        static void start() {
            thread = Thread.ofPlatform().name("class-leak").start(() -> awaitRelease(release));
        }

        @Test
        void passes() {
        }
    }

    /** Threads that end only after the test method has returned, as cancelled threads do. */
    @ExtendWith(OnlyThroughTestKit.class)
    static class SlowToEnd {
        @Test
        void cancelledThreadStillUnwinding() {
            try (Kernel k = Kernel.builder().name("slow").shutdownGracePeriod(Duration.ZERO).build()) {
                ThredoThread<Void> t = k.spawn("unwinding", () -> {
                    try {
                        new Event().await();
                    } catch (ThreadCancelled e) {
                        busyFor(Duration.ofMillis(200)); // cleanup that takes a while
                        throw e;
                    }
                });
                awaitBlocked(k, t, "Event.await");
            } // close with no grace: the thread is cancelled, still unwinding as the test returns
        }

        @Test
        void platformThreadStillEnding() {
            Thread.ofPlatform().name("finishing").start(() -> busyFor(Duration.ofMillis(200)));
        }
    }

    private static void awaitRelease(CountDownLatch release) {
        boolean interrupted = false;
        for (;;) {
            try {
                release.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stays alive for {@code d} whatever interrupts arrive (an uninterruptible cleanup). */
    private static void busyFor(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        boolean interrupted = false;
        while (System.nanoTime() - end < 0) {
            interrupted |= Thread.interrupted(); // else parkNanos returns at once
            LockSupport.parkNanos(end - System.nanoTime());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
