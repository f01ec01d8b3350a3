package dev.thredo.bench;

import dev.thredo.Kernel;
import dev.thredo.Thredo;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Figure (g), outside JMH: heap used per live blocked thread. {@code MemoryFootprint thredo N}
 * starts N thredo threads blocked in {@link Thredo#sleep}; {@code MemoryFootprint virtual N} starts N
 * bare virtual threads blocked in {@link Thread#sleep}. Both keep a handle per thread. Used heap is
 * read after {@code System.gc()} before and after (virtual threads' stacks live in the heap), and the
 * difference divided by N is printed as {@code bytesPerThread=...}. Run each kind in its own JVM;
 * {@link Runner} does. Both kinds first run warm-up rounds of 20 000 short sleepers, at least five
 * and then until the JIT compiler's total time stops growing over a round (at most 50), so that
 * the frames parked in the measured threads' stacks are compiled ones.
 * A third argument {@code --hold} keeps the JVM (and the threads) alive
 * afterwards, for {@code jcmd <pid> GC.class_histogram}.
 */
public final class MemoryFootprint {
    private static final int MAX_WARMUP_ROUNDS = 50;

    private MemoryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int n = Integer.parseInt(args[1]);
        Duration forever = Duration.ofHours(1);
        Kernel kernel = Kernel.builder().name("bench-memory").build(); // created in both runs alike
        // Warm-up: a blocked thread's stack chunk holds its frames, and interpreted frames are larger
        // than compiled ones; without this, the result depends on when the JIT caught up. At least
        // five rounds, then until a round compiled nothing (on a loaded machine the compiler lags).
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long compiledBefore = -1;
        int round = 0;
        for (; round < MAX_WARMUP_ROUNDS; round++) {
            long compiled = jit.getTotalCompilationTime();
            if (round >= 5 && compiled == compiledBefore) {
                break;
            }
            compiledBefore = compiled;
            List<Thread> warm = new ArrayList<>();
            List<dev.thredo.ThredoThread<?>> warmThredo = new ArrayList<>();
            for (int i = 0; i < Math.min(n, 20_000); i++) {
                if (kind.equals("thredo")) {
                    warmThredo.add(kernel.spawn(thredoSleeper(Duration.ofMillis(1))));
                } else {
                    warm.add(Thread.ofVirtual().start(virtualSleeper(Duration.ofMillis(1))));
                }
            }
            for (Thread t : warm) {
                t.join();
            }
            for (var t : warmThredo) {
                t.join();
            }
        }
        long before = usedHeapAfterGc();
        List<Object> handles = new ArrayList<>(n);
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (kind.equals("thredo")) {
                var t = kernel.spawn(thredoSleeper(forever));
                handles.add(t);
                threads.add(t.thread());
            } else if (kind.equals("virtual")) {
                Thread t = Thread.ofVirtual().start(virtualSleeper(forever));
                handles.add(t);
                threads.add(t);
            } else {
                throw new IllegalArgumentException("kind must be thredo or virtual: " + kind);
            }
        }
        Blocked.awaitParked(threads);
        threads = null;
        long after = usedHeapAfterGc();
        System.out.println("kind=" + kind + " threads=" + n + " before=" + before + " after=" + after
                + " handles=" + handles.size() + " warmupRounds=" + round);
        System.out.println("bytesPerThread=" + (after - before) / (double) n);
        System.out.flush();
        if (args.length > 2 && args[2].equals("--hold")) {
            Thread.sleep(forever); // keep the population alive for jcmd GC.class_histogram
        }
        Runtime.getRuntime().halt(0); // no need to wind down a million sleepers
    }

    // One lambda per kind, for the warm-up and the measured threads alike: their parked frames are
    // then the ones the warm-up compiled.
    private static Runnable thredoSleeper(Duration d) {
        return () -> Thredo.sleep(d);
    }

    private static Runnable virtualSleeper(Duration d) {
        return () -> {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                // end
            }
        };
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
