package dev.thredo.examples;

import dev.thredo.Thredo;
import dev.thredo.ThredoThread;

/**
 * Two CPU-bound thredo threads run in parallel on two cores (euro ex2). In Python thredo they could
 * not: the GIL let one thread compute at a time. Here each is a real JDK thread, so two of them finish
 * twice the work in about the time one needs for its share, on a machine with two free cores. The figure is measured and printed,
 * not promised: a busy machine shows less.
 */
public final class ParallelCpu {
    private ParallelCpu() {
    }

    /** What one run measured. */
    public record Result(long oneThreadNanos, long twoThreadsNanos, long checksum) {
        /** Work done per second by two threads over one: about 2 on two free cores, about 1 with one. */
        public double speedup() {
            return 2.0 * oneThreadNanos / twoThreadsNanos;
        }
    }

    /** Busy work that cannot be optimised away: a 64-bit LCG run {@code n} steps. */
    static long spin(long n) {
        long x = 42;
        for (long i = 0; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    /** Times one thread doing the work, then two threads each doing the same amount at once. */
    public static Result measure(long steps) throws Exception {
        return Thredo.run(() -> {
            for (int i = 0; i < 20; i++) { // let the JIT compile spin fully before anything is timed
                Thredo.spawn(() -> spin(steps / 10)).join();
            }
            long t0 = System.nanoTime();
            long one = Thredo.spawn(() -> spin(steps)).join();
            long oneThread = System.nanoTime() - t0;

            long t1 = System.nanoTime();
            ThredoThread<Long> first = Thredo.spawn(() -> spin(steps));
            ThredoThread<Long> second = Thredo.spawn(() -> spin(steps));
            long a = first.join();
            long b = second.join();
            long twoThreads = System.nanoTime() - t1;
            if (a != one || b != one) {
                throw new AssertionError("the threads computed different results");
            }
            return new Result(oneThread, twoThreads, one);
        });
    }

    public static void main(String[] args) throws Exception {
        Result r = measure(args.length > 0 ? Long.parseLong(args[0]) : 500_000_000L);
        System.out.printf("cores: %d, one thread %d ms, two threads (twice the work) %d ms, speedup %.2f%n",
                Runtime.getRuntime().availableProcessors(), r.oneThreadNanos() / 1_000_000,
                r.twoThreadsNanos() / 1_000_000, r.speedup());
    }
}
