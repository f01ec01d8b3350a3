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
 * Figure (d): lock and semaphore throughput under contention. One operation is {@link #ACQUISITIONS}
 * acquire/increment/release rounds shared by {@code threads} threads; time per operation, so
 * throughput = ACQUISITIONS / time. thredo's primitives run in thredo threads, the JDK's in bare
 * virtual threads, policy against policy: thredo's non-fair (default) locks against the JDK's default
 * non-fair {@link java.util.concurrent.locks.ReentrantLock}, the fair ones against the fair JDK lock,
 * and thredo's non-fair {@code Semaphore(1)} against {@link java.util.concurrent.Semaphore}{@code (1)}.
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
        return inThredo(locked(new dev.thredo.Lock()));
    }

    @Benchmark
    public long thredoReentrantLock() {
        return inThredo(locked(new dev.thredo.ReentrantLock()));
    }

    @Benchmark
    public long thredoFairLock() {
        return inThredo(locked(new dev.thredo.Lock(true)));
    }

    @Benchmark
    public long thredoFairReentrantLock() {
        return inThredo(locked(new dev.thredo.ReentrantLock(true)));
    }

    @Benchmark
    public long jdkReentrantLock() throws InterruptedException {
        return inVirtual(locked(new java.util.concurrent.locks.ReentrantLock()));
    }

    @Benchmark
    public long jdkFairReentrantLock() throws InterruptedException {
        return inVirtual(locked(new java.util.concurrent.locks.ReentrantLock(true)));
    }

    @Benchmark
    public long thredoSemaphore() {
        dev.thredo.Semaphore s = new dev.thredo.Semaphore(1);
        return inThredo(n -> {
            for (int i = 0; i < n; i++) {
                s.acquire();
                try {
                    counter++;
                } finally {
                    s.release();
                }
            }
        });
    }

    @Benchmark
    public long jdkSemaphore() throws InterruptedException {
        java.util.concurrent.Semaphore s = new java.util.concurrent.Semaphore(1);
        return inVirtual(n -> {
            for (int i = 0; i < n; i++) {
                s.acquireUninterruptibly();
                try {
                    counter++;
                } finally {
                    s.release();
                }
            }
        });
    }

    /** One thread's share of the rounds. */
    interface Rounds {
        void run(int n);
    }

    private Rounds locked(Lock lock) {
        return n -> {
            for (int i = 0; i < n; i++) {
                lock.lock();
                try {
                    counter++;
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    private long inVirtual(Rounds rounds) throws InterruptedException {
        List<Thread> ts = new ArrayList<>(threads);
        int per = ACQUISITIONS / threads;
        for (int i = 0; i < threads; i++) {
            ts.add(Thread.ofVirtual().start(() -> rounds.run(per)));
        }
        for (Thread t : ts) {
            t.join();
        }
        return counter;
    }

    private long inThredo(Rounds rounds) {
        List<ThredoThread<?>> ts = new ArrayList<>(threads);
        int per = ACQUISITIONS / threads;
        for (int i = 0; i < threads; i++) {
            ts.add(kernel.spawn(() -> rounds.run(per)));
        }
        for (ThredoThread<?> t : ts) {
            t.join();
        }
        return counter;
    }
}
