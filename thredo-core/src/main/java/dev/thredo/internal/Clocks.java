package dev.thredo.internal;

import java.time.Duration;
import java.time.Instant;

/** Conversions between {@link System#nanoTime()} deadlines and wall-clock instants. */
public final class Clocks {
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
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException overflow) {
            nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        long cap = Long.MAX_VALUE / 2;
        if (nanos > cap) {
            nanos = cap;
        }
        if (nanos < 0) {
            nanos = 0;
        }
        long deadline = now + nanos;
        return deadline == Long.MAX_VALUE ? deadline - 1 : deadline; // MAX_VALUE means "none"
    }
}
