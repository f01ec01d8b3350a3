package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Helpers the core tests share: a fresh kernel per test and bounded waits for a thread to reach a wait. */
final class TestKernels {
    /** How long a helper waits for a thread to reach a wait before failing the test readably. */
    static final long REACH_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private TestKernels() {
    }

    /** A test body run as the main thread of a kernel, given that kernel. */
    interface KernelBody {
        void run(Kernel k) throws Exception;
    }

    /** Runs {@code body} as the main thread of a fresh kernel; no thread may outlive it. */
    static void inKernel(KernelBody body) throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                body.run(k);
                return null;
            });
            assertEquals(List.of(), k.threads(), "threads left alive");
        }
    }

    /** Polls {@code condition} until it holds; fails the test if it does not within {@link #REACH_LIMIT_NANOS}. */
    static void awaitTrue(BooleanSupplier condition, String what) {
        long limit = System.nanoTime() + REACH_LIMIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - limit > 0) {
                fail("never reached: " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** Waits until {@code t} is parked in the thredo wait the registry labels {@code label}; fails if it ends first. */
    static void awaitBlocked(Kernel k, ThredoThread<?> t, String label) {
        awaitTrue(() -> {
            if (t.isDone()) {
                fail(t.name() + " ended (" + t.outcome() + ") instead of blocking in " + label);
            }
            return k.thread(t.id()).map(ThreadInfo::blockedOn).filter(label::equals).isPresent();
        }, t.name() + " blocked in " + label);
    }

    /**
     * Waits until the plain thread {@code t} is parked with {@code frame} ("class.method") on its
     * stack; fails if it ends first.
     */
    static void awaitParkedIn(Thread t, String frame) {
        awaitTrue(() -> {
            Thread.State s = t.getState();
            if ((s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && Arrays.stream(t.getStackTrace())
                    .anyMatch(f -> (f.getClassName() + "." + f.getMethodName()).equals(frame))) {
                return true;
            }
            if (!t.isAlive()) {
                fail(t.getName() + " ended instead of parking in " + frame);
            }
            return false;
        }, t.getName() + " parked in " + frame);
    }
}
