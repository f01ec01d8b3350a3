package dev.thredo.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.thredo.Kernel;
import dev.thredo.Thredo;
import dev.thredo.ThreadInfo;
import dev.thredo.ThreadQuery;
import dev.thredo.ThredoThread;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Figure (f): listing the 100 threads whose name matches a filter out of {@link #LIVE} live blocked
 * thredo threads, against the JDK's JSON thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads})
 * of the same JVM, which holds the same threads. The population is created once per trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ListingBench {
    static final int LIVE = 100_000;
    static final int MATCHING = 100;
    private static final ThreadQuery QUERY = ThreadQuery.all().withNameContaining("needle-").withLimit(MATCHING);

    private Kernel kernel;
    private HotSpotDiagnosticMXBean diagnostics;
    private Path dir;
    private long dumps;

    @Setup
    public void setup() throws IOException {
        kernel = Kernel.builder().name("bench-listing").shutdownGracePeriod(Duration.ofSeconds(30)).build();
        List<Thread> threads = new ArrayList<>(LIVE);
        int stride = LIVE / MATCHING;
        for (int i = 0; i < LIVE; i++) {
            String name = (i % stride == stride - 1 ? "needle-" : "hay-") + i;
            ThredoThread<?> t = kernel.spawn(name, () -> Thredo.sleep(Duration.ofHours(1)));
            threads.add(t.thread());
        }
        Blocked.awaitParked(threads);
        diagnostics = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        dir = Files.createTempDirectory("thredo-bench-dump");
        if (kernel.threads(QUERY).size() != MATCHING) {
            throw new IllegalStateException("expected " + MATCHING + " matching threads");
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        kernel.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public List<ThreadInfo> thredo() {
        return kernel.threads(QUERY);
    }

    @Benchmark
    public long jdkJsonThreadDump() throws IOException {
        Path out = dir.resolve("dump-" + (dumps++) + ".json");
        diagnostics.dumpThreads(out.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        long size = Files.size(out);
        Files.delete(out);
        return size;
    }
}
