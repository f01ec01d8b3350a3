package dev.thredo.bench;

import dev.thredo.Kernel;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Figure (a): spawn + join of a batch of 10 000 trivial threads. Time per batch. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SpawnJoinBench {
    static final int N = 10_000;
    private static final Runnable TRIVIAL = () -> { };

    private Kernel kernel;

    @Setup
    public void setup() {
        kernel = Kernel.builder().name("bench-spawn").shutdownGracePeriod(Duration.ofSeconds(5)).build();
    }

    @TearDown
    public void tearDown() {
        kernel.close();
    }

    @Benchmark
    public Object thredo() {
        ThredoThread<?>[] ts = new ThredoThread<?>[N];
        for (int i = 0; i < N; i++) {
            ts[i] = kernel.spawn(TRIVIAL);
        }
        for (ThredoThread<?> t : ts) {
            t.join();
        }
        return ts;
    }

    @Benchmark
    public Object virtualThreads() throws InterruptedException {
        Thread[] ts = new Thread[N];
        for (int i = 0; i < N; i++) {
            ts[i] = Thread.ofVirtual().start(TRIVIAL);
        }
        for (Thread t : ts) {
            t.join();
        }
        return ts;
    }
}
