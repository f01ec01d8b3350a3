package dev.thredo.bench;

import dev.thredo.Kernel;
import dev.thredo.Thredo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Figure (g), outside JMH: heap used per live blocked thread. {@code MemoryFootprint thredo N}
 * starts N thredo threads blocked in {@link Thredo#sleep}; {@code MemoryFootprint virtual N} starts N
 * bare virtual threads blocked in {@link Thread#sleep}. Both keep a handle per thread. Used heap is
 * read after {@code System.gc()} before and after (virtual threads' stacks live in the heap), and the
 * difference divided by N is printed as {@code bytesPerThread=...}. Run each kind in its own JVM;
 * {@link Runner} does. Both kinds first run five warm-up rounds of 20 000 short sleepers, so that
 * the frames parked in the measured threads' stacks are compiled ones.
 * A third argument {@code --hold} keeps the JVM (and the threads) alive
 * afterwards, for {@code jcmd <pid> GC.class_histogram}.
 */
public final class MemoryFootprint {
    private MemoryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int n = Integer.parseInt(args[1]);
        Duration forever = Duration.ofHours(1);
        Kernel kernel = Kernel.builder().name("bench-memory").build(); // created in both runs alike
        // Warm-up: a blocked thread's stack chunk holds its frames, and interpreted frames are larger
        // than compiled ones; without this, the result depends on when the JIT caught up.
        for (int round = 0; round < 5; round++) {
            List<Thread> warm = new ArrayList<>();
            List<dev.thredo.ThredoThread<?>> warmThredo = new ArrayList<>();
            for (int i = 0; i < Math.min(n, 20_000); i++) {
                if (kind.equals("thredo")) {
                    warmThredo.add(kernel.spawn(() -> Thredo.sleep(Duration.ofMillis(1))));
                } else {
                    warm.add(Thread.ofVirtual().start(() -> {
                        try {
                            Thread.sleep(Duration.ofMillis(1));
                        } catch (InterruptedException e) {
                            // end
                        }
                    }));
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
                var t = kernel.spawn(() -> Thredo.sleep(forever));
                handles.add(t);
                threads.add(t.thread());
            } else if (kind.equals("virtual")) {
                Thread t = Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(forever);
                    } catch (InterruptedException e) {
                        // end
                    }
                });
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
                + " handles=" + handles.size());
        System.out.println("bytesPerThread=" + (after - before) / (double) n);
        System.out.flush();
        if (args.length > 2 && args[2].equals("--hold")) {
            Thread.sleep(forever); // keep the population alive for jcmd GC.class_histogram
        }
        Runtime.getRuntime().halt(0); // no need to wind down a million sleepers
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
