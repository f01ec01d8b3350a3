package dev.thredo.bench;

import dev.thredo.Kernel;
import dev.thredo.Queue;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Figure (b): from "cancel" to "every thread has ended", for 10 000 blocked threads. thredo:
 * {@code requestCancel} on all, then {@code await} all; baseline: {@code interrupt} on all bare virtual
 * threads, then {@code join} all. {@code blockedIn=take}: thredo threads in {@link Queue#take()}, virtual
 * threads in {@link LinkedBlockingQueue#take()}; {@code blockedIn=sleep}: {@link Thredo#sleep} against
 * {@link Thread#sleep}. The population is created (and seen parked) before each measured invocation,
 * outside the timing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CancelBench {
    static final int N = 10_000;

    @Param({"take", "sleep"})
    public String blockedIn;

    private Kernel kernel;
    private final List<ThredoThread<?>> thredoThreads = new ArrayList<>(N);
    private final List<Thread> virtualThreads = new ArrayList<>(N);

    @Setup(Level.Trial)
    public void kernel() {
        kernel = Kernel.builder().name("bench-cancel").shutdownGracePeriod(Duration.ofSeconds(5)).build();
    }

    @TearDown(Level.Trial)
    public void closeKernel() {
        kernel.close();
    }

    @Setup(Level.Invocation)
    public void populate() {
        thredoThreads.clear();
        virtualThreads.clear();
        Queue<Object> tq = new Queue<>(16);
        LinkedBlockingQueue<Object> lbq = new LinkedBlockingQueue<>();
        boolean sleep = blockedIn.equals("sleep");
        Duration forever = Duration.ofHours(1);
        List<Thread> all = new ArrayList<>(2 * N);
        for (int i = 0; i < N; i++) {
            ThredoThread<?> t = kernel.spawn(() -> {
                try {
                    if (sleep) {
                        Thredo.sleep(forever);
                    } else {
                        tq.take();
                    }
                } catch (ThreadCancelled expected) {
                    // the measured path: leave
                }
            });
            thredoThreads.add(t);
            all.add(t.thread());
            Thread v = Thread.ofVirtual().start(() -> {
                try {
                    if (sleep) {
                        Thread.sleep(forever);
                    } else {
                        lbq.take();
                    }
                } catch (InterruptedException expected) {
                    // the measured path: leave
                }
            });
            virtualThreads.add(v);
            all.add(v);
        }
        Blocked.awaitParked(all);
    }

    @Benchmark
    public void thredo() {
        for (ThredoThread<?> t : thredoThreads) {
            t.requestCancel();
        }
        for (ThredoThread<?> t : thredoThreads) {
            t.await();
        }
    }

    @Benchmark
    public void virtualThreads() throws InterruptedException {
        for (Thread t : virtualThreads) {
            t.interrupt();
        }
        for (Thread t : virtualThreads) {
            t.join();
        }
    }

    @TearDown(Level.Invocation)
    public void drain() throws InterruptedException {
        // Whichever population the invocation did not end is ended here, outside the timing.
        for (ThredoThread<?> t : thredoThreads) {
            t.requestCancel();
        }
        for (Thread t : virtualThreads) {
            t.interrupt();
        }
        for (ThredoThread<?> t : thredoThreads) {
            t.await();
        }
        for (Thread t : virtualThreads) {
            t.join();
        }
    }
}
