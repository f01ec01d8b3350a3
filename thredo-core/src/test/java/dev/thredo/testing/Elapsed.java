package dev.thredo.testing;

import java.util.concurrent.TimeUnit;

/** Elapsed time on the monotonic clock ({@link System#nanoTime()}), as the tests print and bound it. */
public final class Elapsed {

    private Elapsed() {
    }

    /** Whole milliseconds from {@code startNanos} (a {@link System#nanoTime()} reading) to now. */
    public static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
