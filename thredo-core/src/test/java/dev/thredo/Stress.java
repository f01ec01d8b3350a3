package dev.thredo;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The size of the stress and race suites, and their one report line.
 *
 * <p>One code path, two sizes: the default (CI) size keeps {@code ./mvnw verify} short; the heavy
 * size ({@code -Dthredo.stress=heavy}, set by the {@code stress} Maven profile of thredo-core) runs
 * proportionally more of everything. Every suite prints one line per run in the same format,
 * {@code [stress] <name>: key=value ... failures=0 in 4.2 s}, so the README figures can be collected
 * from the build log with {@code grep '^\[stress\]'}.
 */
final class Stress {
    /** Whether the heavy variant was asked for. */
    static final boolean HEAVY = "heavy".equalsIgnoreCase(System.getProperty("thredo.stress", ""));

    private Stress() {
    }

    /** {@code ci} in the default run, {@code heavy} in the heavy one. */
    static int size(int ci, int heavy) {
        return HEAVY ? heavy : ci;
    }

    /** Busy-waits {@code nanos}: a pause too short and too precise for a sleep, to move a race's meeting point. */
    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** The profile's name, for the report lines. */
    static String profile() {
        return HEAVY ? "heavy" : "ci";
    }

    /**
     * Prints {@code [stress] name: figures failures=N in S s (profile)}; {@code figures} is a
     * space-separated list of {@code key=value}.
     */
    static void report(String name, String figures, long failures, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / (double) TimeUnit.SECONDS.toNanos(1);
        System.out.println(String.format(Locale.ROOT, "[stress] %s: %s failures=%d in %.1f s (profile %s)",
                name, figures, failures, seconds, profile()));
    }
}
