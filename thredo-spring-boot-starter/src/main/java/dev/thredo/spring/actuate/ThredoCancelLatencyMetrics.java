package dev.thredo.spring.actuate;

import dev.thredo.Kernel;
import dev.thredo.KernelListener;
import dev.thredo.Outcome;
import dev.thredo.ThredoThread;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The {@code thredo.cancel.latency} timer: for each thread that was asked to cancel, the time from
 * the request to the thread's end.
 *
 * <p>The timer publishes cumulative buckets at {@link #BUCKETS} (Prometheus: {@code
 * thredo_cancel_latency_seconds_bucket}), so a percentile of the whole fleet can be computed where the
 * samples are aggregated, as the alert rules in {@code deploy/prometheus/rules.yml} do; one boundary is
 * 1 s, their p99 threshold, which makes "p99 above 1 s" exact rather than interpolated. An
 * application replaces them with Boot's {@code management.metrics.distribution.slo.thredo.cancel.latency}.
 *
 * <p>A {@link KernelListener} (register it with {@link Kernel.Builder#listener}) that is also a
 * {@link MeterBinder}, so it can exist before the kernel and before any registry: ends observed
 * before it is bound to a registry are not recorded. Recording takes no lock: listeners run on the
 * kernel's hot path.
 */
public class ThredoCancelLatencyMetrics implements KernelListener, MeterBinder {

    /**
     * The bucket boundaries: a healthy cancel ends in milliseconds, a thread counts as stuck after
     * {@code thredo.stuck-threshold} (5 s by default), so the boundaries are dense below a second and
     * reach past the threshold.
     */
    public static final List<Duration> BUCKETS = Stream
            .of(5L, 10L, 25L, 50L, 100L, 250L, 500L, 1_000L, 2_500L, 5_000L, 10_000L, 30_000L)
            .map(Duration::ofMillis)
            .toList();

    private final Iterable<Tag> tags;
    /** One timer per registry bound; replaced, never mutated, so the hot path reads it without locking. */
    private volatile Timer[] timers = new Timer[0];

    /** The timer without extra tags. */
    public ThredoCancelLatencyMetrics() {
        this(Tags.empty());
    }

    /**
     * The timer with extra {@code tags}, e.g. the application's name when several kernels report to
     * one registry.
     *
     * @param tags tags added to the timer in every registry it is bound to; keep them few and of low
     *     cardinality
     * @throws NullPointerException if {@code tags} is {@code null}
     */
    public ThredoCancelLatencyMetrics(Iterable<Tag> tags) {
        this.tags = Objects.requireNonNull(tags, "tags");
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Timer timer = Timer.builder("thredo.cancel.latency")
                .description("Time from a thredo thread's cancellation request to its end")
                .tags(tags)
                .serviceLevelObjectives(BUCKETS.toArray(Duration[]::new))
                .register(registry);
        Timer[] bound = Arrays.copyOf(timers, timers.length + 1);
        bound[bound.length - 1] = timer;
        timers = bound;
    }

    @Override
    public void threadEnded(ThredoThread<?> thread, Outcome outcome, @Nullable Duration cancelLatency) {
        if (cancelLatency == null) {
            return;
        }
        for (Timer timer : timers) {
            timer.record(cancelLatency);
        }
    }
}
