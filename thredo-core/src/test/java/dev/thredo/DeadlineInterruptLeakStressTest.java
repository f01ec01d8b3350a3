package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The race between a deadline's interrupt and the scope's normal end (DESIGN.md §3.5, rev. 2): round
 * after round, a scope's deadline expires just before, during or just after its body's JDK call or
 * its return. Whatever wins, no interrupt may be left set after the scope, nor arrive later, and a
 * JDK call the deadline ended must come out as {@link ThreadTimeout}. Several threads at once, on
 * virtual and platform kernels.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DeadlineInterruptLeakStressTest {

    enum Kind {
        VIRTUAL, PLATFORM
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void noDeadlineInterruptLeaksPastItsScope(Kind kind) throws Exception {
        int threads = 4;
        int rounds = Stress.size(10_000, 100_000); // per thread
        long start = System.nanoTime();
        AtomicLong leaks = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong timedOut = new AtomicLong();
        AtomicLong returned = new AtomicLong();
        Kernel.Builder b = Kernel.builder().name("leak-" + kind);
        try (Kernel k = (kind == Kind.VIRTUAL ? b.virtualThreads() : b.platformThreads()).build()) {
            k.run(() -> {
                try (ThredoGroup g = ThredoGroup.open()) {
                    for (int t = 0; t < threads; t++) {
                        long seed = 17L * (t + 1);
                        g.spawn(() -> rounds(rounds, new SplittableRandom(seed), leaks, wrong, timedOut, returned));
                    }
                    g.join();
                }
                return null;
            });
        }
        Stress.report("deadline interrupt vs scope end (" + kind.name().toLowerCase() + ")",
                "rounds=" + threads * rounds + " timed_out=" + timedOut.get() + " returned=" + returned.get()
                        + " leaked=" + leaks.get() + " wrong=" + wrong.get(), leaks.get() + wrong.get(), start);
        assertEquals(0, leaks.get(), "deadline interrupts seen after their scope");
        assertEquals(0, wrong.get(), "a JDK call ended by the deadline did not come out as ThreadTimeout");
        assertTrue(timedOut.get() > 0 && returned.get() > 0, "the race never went both ways: it tested nothing");
    }

    private static void rounds(int rounds, SplittableRandom random, AtomicLong leaks, AtomicLong wrong,
            AtomicLong timedOut, AtomicLong returned) {
        for (int i = 0; i < rounds; i++) {
            long deadlineMicros = random.nextLong(5, 200);
            long spinNanos = random.nextLong(0, 200_000);
            boolean sleeps = random.nextBoolean();
            try {
                Thredo.timeoutAfter(Duration.ofNanos(deadlineMicros * 1_000), () -> {
                    Stress.spin(spinNanos);
                    if (sleeps) {
                        Thread.sleep(0, 100_000); // an interrupt ends it with InterruptedException
                    } else {
                        LockSupport.parkNanos(50_000); // an interrupt ends it quietly
                    }
                });
                returned.incrementAndGet();
            } catch (ThreadTimeout expected) {
                timedOut.incrementAndGet();
            } catch (Throwable t) {
                wrong.incrementAndGet();
            }
            if (Thread.interrupted()) {
                leaks.incrementAndGet();
            }
            Stress.spin(random.nextLong(0, 20_000)); // a late delivery would land here
            if (Thread.interrupted()) {
                leaks.incrementAndGet();
            }
        }
    }
}
