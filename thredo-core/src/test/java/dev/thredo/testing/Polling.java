package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling: waits until a condition holds, re-checking with a short pause, and fails the test
 * readably once {@link #BOUND} has passed. The tests of every module wait for a state this way, never
 * with a fixed sleep; the bound only catches hangs, it is not a timing assertion.
 *
 * <p>The first checks follow each other at once (a state reached within microseconds is seen within
 * microseconds, which the stress races need); later ones park for a pause that grows to
 * 5 ms. A pending interrupt of the polling thread (a thredo thread's own
 * cancellation, say) is held back while it parks, so the poll neither spins nor swallows it: the
 * interrupt is set again when the poll returns or fails.
 */
public final class Polling {
    /** How long any poll may take before the test fails. */
    public static final Duration BOUND = Duration.ofSeconds(10);

    private static final int SPINS = 64;
    private static final long MIN_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final int MAX_PAUSE_MILLIS = 5;

    private Polling() {
    }

    /** Polls {@code condition} until it holds; fails with "never reached: {@code what}" after {@link #BOUND}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, BOUND, condition);
    }

    /**
     * {@link #until(String, BooleanSupplier)} with a bound of its own, for a state that whole
     * applications must reach first (a process that has started, say).
     */
    public static void until(String what, Duration bound, BooleanSupplier condition) {
        find(what, bound, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /**
     * Polls {@code probe} until it finds something, and returns that; fails with
     * "never reached: {@code what}" after {@link #BOUND}. {@code probe} may itself fail the test (a
     * thread that ended instead of blocking, say).
     */
    public static <T> T find(String what, Supplier<Optional<T>> probe) {
        return find(what, BOUND, probe);
    }

    /**
     * {@link #find(String, Supplier)} with a bound of its own, for a state that whole applications
     * must reach first (a server that registers its instances, say).
     */
    public static <T> T find(String what, Duration bound, Supplier<Optional<T>> probe) {
        long limit = System.nanoTime() + bound.toNanos();
        long pause = MIN_PAUSE_NANOS;
        boolean interrupted = false;
        try {
            for (int checks = 0; ; checks++) {
                Optional<T> found = probe.get();
                if (found.isPresent()) {
                    return found.get();
                }
                if (System.nanoTime() - limit > 0) {
                    fail("never reached within " + bound + ": " + what);
                }
                if (checks < SPINS) {
                    Thread.onSpinWait();
                    Thread.yield();
                } else {
                    interrupted |= Thread.interrupted(); // else parkNanos returns at once, and this spins
                    LockSupport.parkNanos(pause);
                    pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(MAX_PAUSE_MILLIS));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
