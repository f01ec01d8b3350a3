package dev.thredo.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Clocks#deadlineAfter}: a duration from now on the nano clock, saturated at both ends. */
class ClocksTest {

    /** {@code d}'s deadline minus the nano clock read just before and just after it was computed, as a range. */
    private static long[] aheadBy(Duration d) {
        long before = System.nanoTime();
        long deadline = Clocks.deadlineAfter(d);
        long after = System.nanoTime();
        return new long[] {deadline - after, deadline - before};
    }

    private static void assertAhead(long expectedNanos, Duration d) {
        long[] ahead = aheadBy(d);
        assertTrue(ahead[0] <= expectedNanos && expectedNanos <= ahead[1],
                d + ": " + ahead[0] + ".." + ahead[1] + " ns ahead, expected " + expectedNanos);
    }

    @Test
    void anOrdinaryDurationLiesThatFarAhead() {
        assertAhead(0, Duration.ZERO);
        assertAhead(1, Duration.ofNanos(1));
        assertAhead(1_500_000_000L, Duration.ofMillis(1500));
        assertAhead(86_400_000_000_123L, Duration.ofDays(1).plusNanos(123));
    }

    @Test
    void aNegativeDurationIsNow() {
        assertAhead(0, Duration.ofNanos(-1));
        assertAhead(0, Duration.ofMillis(-500));
        assertAhead(0, Duration.ofSeconds(Long.MIN_VALUE));
    }

    @Test
    void aHugeDurationSaturatesAtHalfTheClockRange() {
        long max = Long.MAX_VALUE / 2;
        assertAhead(max, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
        long seconds = max / 1_000_000_000L; // the last whole second below the cap
        assertAhead(max, Duration.ofSeconds(seconds + 1));
        assertAhead(max, Duration.ofSeconds(seconds, 999_999_999));
        assertAhead(seconds * 1_000_000_000L, Duration.ofSeconds(seconds));
        assertAhead(seconds * 1_000_000_000L - 1, Duration.ofSeconds(seconds).minusNanos(1));
    }

    @Test
    void aDeadlineIsNeverTheNoDeadlineSentinel() {
        for (int i = 0; i < 1000; i++) {
            long d = Clocks.deadlineAfter(Duration.ofSeconds(Long.MAX_VALUE));
            assertTrue(d != Clocks.NO_DEADLINE);
        }
    }
}
