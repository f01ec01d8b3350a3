package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.KernelStats;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import dev.thredo.testing.Polling;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ThredoMetricsTest {
    private final ThredoCancelLatencyMetrics latency = new ThredoCancelLatencyMetrics();
    private final Kernel kernel = Kernel.builder().listener(latency).build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void gaugesCountLiveThreadsByState() {
        new ThredoMetrics(kernel, Tags.empty(), Duration.ZERO).bindTo(registry);
        ThredoThread<Void> a = kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        ThredoThread<Void> b = kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));

        Polling.until("2 blocked", () -> live("blocked") == 2);
        assertThat(live("running")).isZero();
        assertThat(live("cancelling")).isZero();
        assertThat(registry.get("thredo.threads.stuck").gauge().value()).isZero();
        assertThat(registry.get("thredo.groups.live").gauge().value()).isZero();
        a.requestCancel();
        b.requestCancel();
        a.await();
        b.await();
        assertThat(live("blocked")).isZero();
    }

    @Test
    void countersFollowStartsAndOutcomes() throws Exception {
        new ThredoMetrics(kernel, Tags.empty(), Duration.ZERO).bindTo(registry);
        kernel.spawn(() -> { }).await();
        kernel.spawn(() -> {
            throw new IllegalStateException("boom");
        }).await();
        ThredoThread<Void> cancelled = kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        cancelled.requestCancel();
        cancelled.await();

        assertThat(registry.get("thredo.threads.started").functionCounter().count()).isEqualTo(3);
        assertThat(ended("succeeded")).isEqualTo(1);
        assertThat(ended("failed")).isEqualTo(1);
        assertThat(ended("cancelled")).isEqualTo(1);
    }

    @Test
    void countersReadTheKernelsTotalsNotAStoredSnapshot() {
        new ThredoMetrics(kernel, Tags.empty(), Duration.ofHours(1)).bindTo(registry);
        assertThat(live("running")).isZero(); // a snapshot is taken, and serves the gauges for an hour
        assertThat(registry.get("thredo.threads.started").functionCounter().count()).isZero();

        kernel.spawn(() -> { }).await();

        assertThat(registry.get("thredo.threads.started").functionCounter().count()).isEqualTo(1);
        assertThat(ended("succeeded")).isEqualTo(1);
    }

    @Test
    void countersNeverGoBackwardsUnderConcurrentScrapes() throws Exception {
        // Snapshots that outlive a registry pass, and a pass made slow by many live threads: racing
        // scrapes then build snapshots of different ages.
        new ThredoMetrics(kernel, Tags.empty(), Duration.ofMillis(1)).bindTo(registry);
        for (int i = 0; i < 2_000; i++) {
            kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        }
        FunctionCounter started = registry.get("thredo.threads.started").functionCounter();
        FunctionCounter succeeded = registry.get("thredo.threads.ended").tag("outcome", "succeeded").functionCounter();
        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                kernel.spawn(() -> { }).await();
            }
        });
        AtomicLong highestStarted = new AtomicLong();
        AtomicLong highestSucceeded = new AtomicLong();
        List<String> regressions = new CopyOnWriteArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        List<Thread> scrapers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            scrapers.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() - end < 0 && regressions.isEmpty()) {
                    scrape(started, highestStarted, regressions);
                    scrape(succeeded, highestSucceeded, regressions);
                }
            }));
        }
        for (Thread t : scrapers) {
            t.join();
        }
        stop.set(true);
        churn.join();
        assertThat(regressions).as("a counter read after another read had returned").isEmpty();
    }

    /** Reads {@code counter}; records a regression if it is below what an earlier, completed read returned. */
    private static void scrape(FunctionCounter counter, AtomicLong highest, List<String> regressions) {
        long before = highest.get();
        long now = (long) counter.count();
        if (now < before) {
            regressions.add(counter.getId().getName() + " went from " + before + " to " + now);
        }
        highest.accumulateAndGet(now, Math::max);
    }

    @Test
    void cancelLatencyIsTimedOnlyForCancelledThreads() {
        latency.bindTo(registry);
        kernel.spawn(() -> { }).await();
        ThredoThread<Void> cancelled = kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        cancelled.requestCancel();
        cancelled.await();

        assertThat(registry.get("thredo.cancel.latency").timer().count()).isEqualTo(1);
        assertThat(registry.get("thredo.cancel.latency").timer().totalTime(TimeUnit.NANOSECONDS))
                .isPositive();
    }

    @Test
    void cancelLatencyIsCountedInBucketsWithOneAtTheAlertThreshold() {
        latency.bindTo(registry);
        ThredoThread<Void> cancelled = kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        cancelled.requestCancel();
        cancelled.await();

        CountAtBucket[] buckets = registry.get("thredo.cancel.latency").timer().takeSnapshot().histogramCounts();
        assertThat(buckets).extracting(b -> Duration.ofNanos((long) b.bucket(TimeUnit.NANOSECONDS)))
                .containsExactlyElementsOf(ThredoCancelLatencyMetrics.BUCKETS)
                .contains(Duration.ofSeconds(1)); // deploy/prometheus/rules.yml: p99 above 1 s
        // Buckets are cumulative: the one cancel is in the last (30 s) bucket, a bound that only a hang misses.
        assertThat(buckets[buckets.length - 1].count()).isEqualTo(1);
    }

    @Test
    void everyMeterHasADescriptionAndABaseUnit() {
        new ThredoMetrics(kernel).bindTo(registry);
        latency.bindTo(registry);

        // The simple registry shows the timer's buckets as gauges of their own, named after it.
        assertThat(registry.find("thredo.cancel.latency.histogram").gauges())
                .hasSameSizeAs(ThredoCancelLatencyMetrics.BUCKETS);
        List<Meter> meters = registry.getMeters().stream()
                .filter(meter -> !meter.getId().getName().equals("thredo.cancel.latency.histogram"))
                .toList();
        assertThat(meters).hasSize(10);
        for (Meter meter : meters) {
            assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
            assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isNotBlank();
        }
    }

    @Test
    void oneSnapshotServesAScrape() {
        ThredoMetrics metrics = new ThredoMetrics(kernel, Tags.empty(), Duration.ofHours(1));
        KernelStats first = metrics.stats();
        kernel.spawn(() -> { }).await();

        assertThat(metrics.stats()).isSameAs(first);
    }

    @Test
    void extraTagsGoOnEveryMeter() {
        new ThredoMetrics(kernel, Tags.of("kernel", "k1"), Duration.ZERO).bindTo(registry);
        new ThredoCancelLatencyMetrics(Tags.of("kernel", "k1")).bindTo(registry);

        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("kernel")).isEqualTo("k1"));
    }

    private double live(String state) {
        return registry.get("thredo.threads.live").tag("state", state).gauge().value();
    }

    private double ended(String outcome) {
        return registry.get("thredo.threads.ended").tag("outcome", outcome).functionCounter().count();
    }
}
