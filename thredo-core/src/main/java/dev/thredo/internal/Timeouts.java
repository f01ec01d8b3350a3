package dev.thredo.internal;

import java.util.concurrent.TimeUnit;

/** The JDK's {@code (long, TimeUnit)} timeouts as {@link Parking} limits. */
public final class Timeouts {
    private Timeouts() {
    }

    /** The {@link System#nanoTime()} at which a wait of {@code timeout} ends; at least "now" (never {@link Clocks#NO_DEADLINE}). */
    public static long limit(long timeout, TimeUnit unit) {
        long nanos = Math.max(0, unit.toNanos(timeout));
        return Clocks.deadlineAfterNanos(Math.min(nanos, Long.MAX_VALUE / 4));
    }
}
