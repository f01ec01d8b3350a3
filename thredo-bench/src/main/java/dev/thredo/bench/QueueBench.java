package dev.thredo.bench;

import dev.thredo.Kernel;
import dev.thredo.Queue;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * Figure (c): queue throughput. One operation moves {@link #ITEMS} items from {@code pairs}
 * producers to {@code pairs} consumers through a queue of {@code capacity}; time per operation, so
 * throughput = ITEMS / time. thredo's {@link Queue} runs between thredo threads (its intended use),
 * {@link ArrayBlockingQueue} and {@link LinkedBlockingQueue} between bare virtual threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class QueueBench {
    static final int ITEMS = 100_000;
    private static final Integer ITEM = 42;

    @Param({"1", "4"})
    public int pairs;

    @Param({"16", "1024"})
    public int capacity;

    private Kernel kernel;

    @Setup
    public void setup() {
        kernel = Kernel.builder().name("bench-queue").shutdownGracePeriod(Duration.ofSeconds(5)).build();
    }

    @TearDown
    public void tearDown() {
        kernel.close();
    }

    @Benchmark
    public void thredoQueue() {
        Queue<Integer> q = new Queue<>(capacity);
        List<ThredoThread<?>> ts = new ArrayList<>(2 * pairs);
        int per = ITEMS / pairs;
        for (int p = 0; p < pairs; p++) {
            ts.add(kernel.spawn(() -> {
                for (int i = 0; i < per; i++) {
                    q.put(ITEM);
                }
            }));
            ts.add(kernel.spawn(() -> {
                for (int i = 0; i < per; i++) {
                    q.take();
                }
            }));
        }
        for (ThredoThread<?> t : ts) {
            t.join();
        }
    }

    @Benchmark
    public void arrayBlockingQueue() throws InterruptedException {
        jdk(new ArrayBlockingQueue<>(capacity));
    }

    @Benchmark
    public void linkedBlockingQueue() throws InterruptedException {
        jdk(new LinkedBlockingQueue<>(capacity));
    }

    private void jdk(BlockingQueue<Integer> q) throws InterruptedException {
        List<Thread> ts = new ArrayList<>(2 * pairs);
        int per = ITEMS / pairs;
        for (int p = 0; p < pairs; p++) {
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < per; i++) {
                        q.put(ITEM);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < per; i++) {
                        q.take();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
    }
}
