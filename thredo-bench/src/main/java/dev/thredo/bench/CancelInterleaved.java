package dev.thredo.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Figure (b) outside JMH, for a machine whose load changes while it runs: {@code CancelInterleaved
 * ROUNDS sleep|take} measures {@link CancelBench}'s two sides in one JVM, alternating round by
 * round (thredo, JDK, thredo, ...), and prints the median of each side, their ratio, and the bytes
 * allocated per cancelled thread. JMH runs the two sides in separate forks, seconds to minutes
 * apart, so a change of load between them enters its ratio; here both sides share every load phase.
 * The first quarter of the rounds warms up and is not counted.
 *
 * <p>Each round is one {@link CancelBench} invocation: both populations created and seen parked,
 * one side timed from its cancel to the end of its last thread, the other side ended untimed.
 * Allocation is the JVM's total allocated bytes across the timed part ({@code com.sun.management}'s
 * thread bean; virtual threads allocate on their carriers), divided by the threads cancelled.
 */
public final class CancelInterleaved {
    private CancelInterleaved() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        CancelBench bench = new CancelBench();
        bench.blockedIn = args[1];
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Long> thredoNanos = new ArrayList<>();
        List<Long> jdkNanos = new ArrayList<>();
        List<Long> thredoBytes = new ArrayList<>();
        List<Long> jdkBytes = new ArrayList<>();
        bench.kernel();
        try {
            for (int round = 0; round < 2 * rounds; round++) {
                boolean thredo = round % 2 == 0;
                bench.populate();
                long bytes = threads.getTotalThreadAllocatedBytes();
                long start = System.nanoTime();
                if (thredo) {
                    bench.thredo();
                } else {
                    bench.virtualThreads();
                }
                long nanos = System.nanoTime() - start;
                bytes = threads.getTotalThreadAllocatedBytes() - bytes;
                bench.drain();
                if (round >= rounds / 2) {
                    (thredo ? thredoNanos : jdkNanos).add(nanos);
                    (thredo ? thredoBytes : jdkBytes).add(bytes / CancelBench.N);
                }
            }
        } finally {
            bench.closeKernel();
        }
        double thredoMs = median(thredoNanos) / 1e6;
        double jdkMs = median(jdkNanos) / 1e6;
        System.out.printf("blockedIn=%s rounds=%d (per side, after %d warm-up): thredo %.2f ms, JDK %.2f ms, ratio %.2fx;"
                + " allocated per cancelled thread: thredo %d B, JDK %d B%n", bench.blockedIn, thredoNanos.size(), rounds / 4,
                thredoMs, jdkMs, thredoMs / jdkMs, median(thredoBytes), median(jdkBytes));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
