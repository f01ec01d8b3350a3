package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.KernelStats;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import dev.thredo.spring.KernelPolling;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
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

        KernelPolling.awaitUntil("2 blocked", () -> live("blocked") == 2);
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
    void cancelLatencyIsTimedOnlyForCancelledThreads() {
        latency.bindTo(registry);
        kernel.spawn(() -> { }).await();
        ThredoThread<Void> cancelled = kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        cancelled.requestCancel();
        cancelled.await();

        assertThat(registry.get("thredo.cancel.latency").timer().count()).isEqualTo(1);
        assertThat(registry.get("thredo.cancel.latency").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                .isPositive();
    }

    @Test
    void everyMeterHasADescriptionAndABaseUnit() {
        new ThredoMetrics(kernel).bindTo(registry);
        latency.bindTo(registry);

        assertThat(registry.getMeters()).hasSize(10);
        for (Meter meter : registry.getMeters()) {
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
