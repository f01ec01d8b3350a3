package dev.thredo.bench;

import dev.thredo.Adoption;
import dev.thredo.Kernel;
import dev.thredo.Thredo;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Figure (e): the cost {@link Thredo#timeoutAfter} adds around a body that does not block. The JMH
 * worker thread is made a thredo thread ({@link Kernel#adopt}) for each iteration; the baseline is
 * the same body called bare on the same thread. Added cost = thredo - bare, in ns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TimeoutBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Kernel kernel;
    private Adoption adoption;
    private long x = 17;

    @Setup(Level.Trial)
    public void kernel() {
        kernel = Kernel.builder().name("bench-timeout").shutdownGracePeriod(Duration.ofSeconds(5)).build();
    }

    @TearDown(Level.Trial)
    public void closeKernel() {
        kernel.close();
    }

    @Setup(Level.Iteration)
    public void adopt() {
        adoption = kernel.adopt("bench-timeout-worker");
    }

    @TearDown(Level.Iteration)
    public void release() {
        adoption.close();
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private long body() {
        return x * 31 + 7;
    }

    @Benchmark
    public long bare() {
        return body();
    }

    @Benchmark
    public long thredo() {
        return Thredo.timeoutAfter(TIMEOUT, this::body);
    }
}
