package dev.thredo.bench;

import dev.thredo.Kernel;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Figure (d): lock throughput under contention. One operation is {@link #ACQUISITIONS}
 * lock/increment/unlock rounds shared by {@code threads} threads; time per operation, so throughput
 * = ACQUISITIONS / time. thredo's locks run in thredo threads, the JDK's
 * {@link java.util.concurrent.locks.ReentrantLock} (default, non-fair: the baseline; and fair, for
 * reference only) in bare virtual threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LockBench {
    static final int ACQUISITIONS = 200_000;

    @Param({"2", "8"})
    public int threads;

    private Kernel kernel;
    private long counter;

    @Setup
    public void setup() {
        kernel = Kernel.builder().name("bench-lock").shutdownGracePeriod(Duration.ofSeconds(5)).build();
    }

    @TearDown
    public void tearDown() {
        kernel.close();
    }

    @Benchmark
    public long thredoLock() {
        return inThredo(new dev.thredo.Lock());
    }

    @Benchmark
    public long thredoReentrantLock() {
        return inThredo(new dev.thredo.ReentrantLock());
    }

    @Benchmark
    public long jdkReentrantLock() throws InterruptedException {
        return inVirtual(new java.util.concurrent.locks.ReentrantLock());
    }

    /** Not the baseline (that is the default, non-fair lock): a reference for what FIFO fairness costs. */
    @Benchmark
    public long jdkFairReentrantLock() throws InterruptedException {
        return inVirtual(new java.util.concurrent.locks.ReentrantLock(true));
    }

    private long inVirtual(Lock lock) throws InterruptedException {
        List<Thread> ts = new ArrayList<>(threads);
        int per = ACQUISITIONS / threads;
        for (int i = 0; i < threads; i++) {
            ts.add(Thread.ofVirtual().start(() -> rounds(lock, per)));
        }
        for (Thread t : ts) {
            t.join();
        }
        return counter;
    }

    private long inThredo(Lock lock) {
        List<ThredoThread<?>> ts = new ArrayList<>(threads);
        int per = ACQUISITIONS / threads;
        for (int i = 0; i < threads; i++) {
            ts.add(kernel.spawn(() -> rounds(lock, per)));
        }
        for (ThredoThread<?> t : ts) {
            t.join();
        }
        return counter;
    }

    private void rounds(Lock lock, int n) {
        for (int i = 0; i < n; i++) {
            lock.lock();
            try {
                counter++;
            } finally {
                lock.unlock();
            }
        }
    }
}
