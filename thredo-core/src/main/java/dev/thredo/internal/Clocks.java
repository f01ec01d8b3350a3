package dev.thredo.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * {@link System#nanoTime()} deadlines: the one "none" value, their computation, and their
 * conversion to wall-clock instants.
 *
 * <p>Every deadline and time limit in the kernel (a {@link Parking} limit, a {@link DeadlineStack}
 * scope, a thread's published deadline) is a {@code nanoTime} value compared by subtraction, or
 * {@link #NO_DEADLINE}. Any other value, {@code 0} included, is a time like any other. No computed
 * deadline equals the sentinel: {@link #deadlineAfterNanos} steps off it.
 */
public final class Clocks {
    /** "No deadline", "no time limit": the one sentinel of every {@code nanoTime} deadline and limit. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** The longest time a deadline lies ahead, so that it stays in the future on the wrapping nano clock. */
    private static final long MAX_NANOS = Long.MAX_VALUE / 2;

    private Clocks() {
    }

    /** The wall-clock instant of a {@link System#nanoTime()} value. */
    public static Instant toInstant(long nanoTime) {
        return Instant.now().plusNanos(nanoTime - System.nanoTime());
    }

    /**
     * The {@link System#nanoTime()} value {@code d} from now, saturated so that very long durations
     * stay in the future (the nano clock wraps after about 292 years).
     */
    public static long deadlineAfter(Duration d) {
        long now = System.nanoTime();
        // Saturating by hand rather than catching toNanos()'s overflow: this runs on every sleep and
        // timeout, and the smaller code lets the JIT inline a sleep into its caller.
        long seconds = d.getSeconds(); // a negative duration has negative seconds (its nanos are >= 0)
        long nanos;
        if (seconds < 0) {
            nanos = 0;
        } else if (seconds > MAX_NANOS / 1_000_000_000L) { // else the sum below cannot overflow
            nanos = MAX_NANOS;
        } else {
            nanos = Math.min(seconds * 1_000_000_000L + d.getNano(), MAX_NANOS);
        }
        return deadlineAfterNanos(now, nanos);
    }

    /**
     * The {@link System#nanoTime()} value {@code nanos} (zero or more, at most {@code Long.MAX_VALUE / 2})
     * from now; never {@link #NO_DEADLINE}.
     */
    public static long deadlineAfterNanos(long nanos) {
        return deadlineAfterNanos(System.nanoTime(), nanos);
    }

    private static long deadlineAfterNanos(long now, long nanos) {
        long deadline = now + nanos;
        return deadline == NO_DEADLINE ? deadline - 1 : deadline;
    }
}
