package dev.thredo.internal;

import java.util.concurrent.TimeUnit;

/** The JDK's {@code (long, TimeUnit)} timeouts as {@link Parking} limits. */
public final class Timeouts {
    private Timeouts() {
    }

    /** The {@link System#nanoTime()} at which a wait of {@code timeout} ends; at least "now" (never {@link Parking#NO_LIMIT}). */
    public static long limit(long timeout, TimeUnit unit) {
        long nanos = Math.max(0, unit.toNanos(timeout));
        long now = System.nanoTime();
        long limit = now + Math.min(nanos, Long.MAX_VALUE / 4);
        return limit == Parking.NO_LIMIT ? 1 : limit;
    }
}
