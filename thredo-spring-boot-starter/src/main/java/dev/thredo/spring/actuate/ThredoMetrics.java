package dev.thredo.spring.actuate;

import dev.thredo.Kernel;
import dev.thredo.KernelStats;
import dev.thredo.Outcome;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Binds the gauges and counters of a thredo {@link Kernel}:
 * <ul>
 * <li>{@code thredo.threads.live} (gauge, tag {@code state}: {@code running}, {@code blocked},
 * {@code cancelling}): live threads by state;
 * <li>{@code thredo.threads.stuck} (gauge): threads ignoring a cancellation past the stuck threshold;
 * <li>{@code thredo.groups.live} (gauge): groups opened and not yet closed;
 * <li>{@code thredo.threads.started} (counter): threads spawned or adopted;
 * <li>{@code thredo.threads.ended} (counter, tag {@code outcome}: {@code succeeded}, {@code failed},
 * {@code cancelled}).
 * </ul>
 * The gauges read one {@link Kernel#stats()} snapshot, which walks the registry once and is reused
 * while it is younger than the snapshot age (one second by default), so a scrape costs one pass
 * over the live threads, not one per meter. The counters never read a snapshot: each is bound to one
 * of the kernel's own totals ({@link Kernel#spawnedCount()}, {@link Kernel#endedCount}), read
 * directly, which only grow, so a counter is monotonic however scrapes interleave (a snapshot
 * stored by a racing scrape could be older than one already served). The cancel latency timer needs
 * the kernel's thread events and lives in {@link ThredoCancelLatencyMetrics}.
 */
public class ThredoMetrics implements MeterBinder {

    /** How long one stats snapshot serves the meters by default. */
    public static final Duration DEFAULT_SNAPSHOT_AGE = Duration.ofSeconds(1);

    private static final String GROUPS = "groups";

    private final Kernel kernel;
    private final Iterable<Tag> tags;
    private final long maxAgeNanos;
    private volatile @Nullable Snapshot snapshot;

    /**
     * Meters of {@code kernel}, without extra tags, with the {@linkplain #DEFAULT_SNAPSHOT_AGE default
     * snapshot age}.
     *
     * @param kernel the kernel whose threads and groups the meters report
     * @throws NullPointerException if {@code kernel} is {@code null}
     */
    public ThredoMetrics(Kernel kernel) {
        this(kernel, Tags.empty(), DEFAULT_SNAPSHOT_AGE);
    }

    /**
     * Meters of {@code kernel}.
     *
     * @param kernel the kernel whose threads and groups the meters report
     * @param tags extra tags on every meter; keep them few and of low cardinality (never a thread id)
     * @param snapshotAge how long one {@link Kernel#stats()} snapshot is reused (zero or more; zero:
     *     every gauge read walks the registry)
     * @throws IllegalArgumentException if {@code snapshotAge} is negative
     * @throws NullPointerException if an argument is {@code null}
     */
    public ThredoMetrics(Kernel kernel, Iterable<Tag> tags, Duration snapshotAge) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.tags = Objects.requireNonNull(tags, "tags");
        if (snapshotAge.isNegative()) {
            throw new IllegalArgumentException("snapshotAge must not be negative: " + snapshotAge);
        }
        this.maxAgeNanos = snapshotAge.toNanos();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        liveThreads(registry, "running", KernelStats::running);
        liveThreads(registry, "blocked", KernelStats::blocked);
        liveThreads(registry, "cancelling", KernelStats::cancelling);
        Gauge.builder("thredo.threads.stuck", this, stat(KernelStats::stuck))
                .description("Threads that have ignored a cancellation for longer than the stuck threshold")
                .baseUnit(BaseUnits.THREADS)
                .tags(tags)
                .strongReference(true)
                .register(registry);
        Gauge.builder("thredo.groups.live", this, stat(KernelStats::liveGroups))
                .description("Thredo groups opened and not yet closed")
                .baseUnit(GROUPS)
                .tags(tags)
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("thredo.threads.started", kernel, Kernel::spawnedCount)
                .description("Thredo threads spawned or adopted")
                .baseUnit(BaseUnits.THREADS)
                .tags(tags)
                .register(registry);
        endedThreads(registry, Outcome.SUCCEEDED);
        endedThreads(registry, Outcome.FAILED);
        endedThreads(registry, Outcome.CANCELLED);
    }

    private void liveThreads(MeterRegistry registry, String state, ToDoubleFunction<KernelStats> count) {
        Gauge.builder("thredo.threads.live", this, stat(count))
                .description("Live thredo threads, by state")
                .baseUnit(BaseUnits.THREADS)
                .tags(tags)
                .tag("state", state)
                .strongReference(true)
                .register(registry);
    }

    private void endedThreads(MeterRegistry registry, Outcome outcome) {
        FunctionCounter.builder("thredo.threads.ended", kernel, k -> k.endedCount(outcome))
                .description("Thredo threads ended, by outcome")
                .baseUnit(BaseUnits.THREADS)
                .tags(tags)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry);
    }

    private static ToDoubleFunction<ThredoMetrics> stat(ToDoubleFunction<KernelStats> f) {
        return m -> f.applyAsDouble(m.stats());
    }

    /** The kernel's stats, from a snapshot no older than the snapshot age. */
    KernelStats stats() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.takenAt() > maxAgeNanos || maxAgeNanos == 0) {
            // Racing scrapes may each take a snapshot; the last one written wins, perhaps the older:
            // fine for gauges, which is why no counter reads a snapshot.
            s = new Snapshot(kernel.stats(), now);
            snapshot = s;
        }
        return s.stats();
    }

    private record Snapshot(KernelStats stats, long takenAt) {
    }
}
